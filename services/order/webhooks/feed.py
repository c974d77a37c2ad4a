"""The webhook feed: a status change of a subscribed channel's order is queued as a delivery in
the transaction that records it, so it is sent if and only if the change commits."""

from uuid import uuid4

from services.order.domain import Order
from services.order.domain.webhooks import OrderStatusChanged
from shared.aggregate import Aggregate
from shared.db import WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent

# The subscription is read by the insert itself (no row: no webhook, nothing queued), so the
# changes of a batch cost one statement with its other held-back rows, never a read per event.
_QUEUE = (
    "INSERT INTO webhook_delivery (delivery_id, channel, order_id, sequence, status, payload,"
    " state, attempts, next_attempt_at, created_at)"
    " SELECT $1, channel, $2, $3, $4, $5, 'pending', 0, $6, $6"
    " FROM webhook_subscription WHERE channel = $7"
)


async def queue_status_change(
    conn: WriteBehind, _event: DomainEvent, envelope: Envelope, recorded_by: Aggregate | None
) -> None:
    """At the last event a unit of work recorded for an order, a delivery if its status is not
    the one before those events: one per decision (an order placed and held at once is told
    `on_hold` alone), as a poller would see it."""
    order = recorded_by
    if not isinstance(order, Order) or envelope.aggregate_version != order.version:
        return
    placed = order.state.placed
    if placed is None or order.status == order.status_before:
        return
    delivery_id = uuid4()
    change = OrderStatusChanged.model_validate(
        {
            "order_id": order.order_id,
            "channel": placed.channel,
            "external_id": placed.external_id,
            "status": order.status,
            "previous_status": order.status_before,
            "holds": sorted(order.state.holds),
            "changed_at": envelope.occurred_at,
        }
    )
    cloudevent = Envelope(
        event_id=delivery_id,
        event_type=change.event_type(),
        event_version=change.event_version,
        source=envelope.source,
        aggregate_id=order.id,
        aggregate_version=order.version,
        occurred_at=envelope.occurred_at,
        correlation_id=envelope.correlation_id,
        causation_id=envelope.event_id,
        data=change.model_dump(mode="json"),
    )
    conn.defer(
        ("webhook_delivery", delivery_id),
        _QUEUE,
        str(delivery_id),
        order.id,
        order.version,
        order.status,
        cloudevent.to_json_text(),
        envelope.occurred_at,
        placed.channel,
    )

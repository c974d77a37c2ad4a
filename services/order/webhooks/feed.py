"""The webhook feed: a status change of a subscribed channel's order is queued as a delivery in
the transaction that records it (so it is sent if and only if the change commits), and what a
queued delivery is sent as: a CloudEvent carrying OrderStatusChanged."""

import json
from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from services.order.domain import Order
from services.order.domain.webhooks import OrderStatusChanged
from shared.aggregate import Aggregate
from shared.db import WriteBehind
from shared.envelope import Envelope, parse_time
from shared.messages import DomainEvent

# The subscription is read by the insert itself (no row: no webhook, nothing queued), so the
# changes of a batch cost one statement with its other held-back rows, never a read per event;
# and only the facts are stored: the CloudEvent is built when it is sent, for subscribers only.
_QUEUE = (
    "INSERT INTO webhook_delivery (delivery_id, channel, order_id, sequence, status,"
    " previous_status, holds, external_id, correlation_id, causation_id, state, attempts,"
    " next_attempt_at, created_at)"
    " SELECT $1, channel, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, $10"
    " FROM webhook_subscription WHERE channel = $11"
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
    delivery_id = str(uuid4())
    conn.defer(
        ("webhook_delivery", delivery_id),
        _QUEUE,
        delivery_id,
        order.id,
        order.version,
        order.status,
        order.status_before,
        json.dumps(sorted(order.state.holds)),
        placed.external_id,
        str(envelope.correlation_id),
        str(envelope.event_id),
        envelope.occurred_at,
        placed.channel,
    )


def cloudevent(delivery: Mapping[str, Any]) -> bytes:
    """The body of a queued delivery's POST: the same bytes on every attempt."""
    changed_at = parse_time(delivery["created_at"])
    change = OrderStatusChanged.model_validate(
        {
            "order_id": delivery["order_id"],
            "channel": delivery["channel"],
            "external_id": delivery["external_id"],
            "status": delivery["status"],
            "previous_status": delivery["previous_status"],
            "holds": json.loads(delivery["holds"]),
            "changed_at": changed_at,
        }
    )
    envelope = Envelope(
        event_id=delivery["delivery_id"],
        event_type=change.event_type(),
        event_version=change.event_version,
        source="order",
        aggregate_id=delivery["order_id"],
        aggregate_version=delivery["sequence"],
        occurred_at=changed_at,
        correlation_id=delivery["correlation_id"],
        causation_id=delivery["causation_id"],
        data=change.model_dump(mode="json"),
    )
    return envelope.to_json()

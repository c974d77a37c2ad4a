"""Queries over channel webhooks: the subscription, its secret, its deliveries."""

from services.order.schemas import DeliveryPublic, WebhookPublic
from shared.db import Connection

# Counted on the (channel, state, created_at) index: no more rows than the channel has waiting.
_COUNT = "(SELECT count(*) FROM webhook_delivery d WHERE d.channel = s.channel AND d.state = '{}')"


async def webhooks(conn: Connection, channel: str | None = None) -> list[WebhookPublic]:
    """Every channel's webhook (or one channel's) with how many of its deliveries wait to be
    sent (pending) or are parked."""
    one = "" if channel is None else " WHERE s.channel = $1"
    rows = await conn.fetch(
        "SELECT s.channel, s.url, s.created_at, s.updated_at,"
        f" {_COUNT.format('pending')} AS pending, {_COUNT.format('parked')} AS parked"
        f" FROM webhook_subscription s{one} ORDER BY s.channel",
        *([] if channel is None else [channel]),
    )
    return [WebhookPublic.model_validate(dict(row)) for row in rows]


async def secret(conn: Connection, channel: str) -> str | None:
    found = await conn.fetchval(
        "SELECT secret FROM webhook_subscription WHERE channel = $1", channel
    )
    return None if found is None else str(found)


async def deliveries(
    conn: Connection, channel: str, *, state: str | None, limit: int
) -> list[DeliveryPublic]:
    """The channel's deliveries, newest first, in one state or all."""
    in_state = "" if state is None else " AND state = $3"
    rows = await conn.fetch(
        "SELECT delivery_id, order_id, sequence, status, state, attempts, next_attempt_at,"
        f" last_error, created_at, delivered_at FROM webhook_delivery WHERE channel = $1{in_state}"
        " ORDER BY created_at DESC, sequence DESC LIMIT $2",
        channel,
        limit,
        *([] if state is None else [state]),
    )
    return [DeliveryPublic.model_validate(dict(row)) for row in rows]

"""Queries over channel webhooks: the subscription, its secret, its deliveries."""

from typing import Any

from shared.db import Connection


async def webhook(conn: Connection, channel: str) -> dict[str, Any] | None:
    """The channel's webhook with how many of its deliveries wait (pending) or are parked."""
    row = await conn.fetchrow(
        "SELECT channel, url, created_at, updated_at FROM webhook_subscription WHERE channel = $1",
        channel,
    )
    if row is None:
        return None
    counts = await conn.fetch(
        "SELECT state, count(*) AS n FROM webhook_delivery"
        " WHERE channel = $1 AND state <> 'delivered' GROUP BY state",
        channel,
    )
    by_state = {count["state"]: count["n"] for count in counts}
    return {**dict(row), "pending": by_state.get("pending", 0), "parked": by_state.get("parked", 0)}


async def secret(conn: Connection, channel: str) -> str | None:
    found = await conn.fetchval(
        "SELECT secret FROM webhook_subscription WHERE channel = $1", channel
    )
    return None if found is None else str(found)


async def deliveries(
    conn: Connection, channel: str, *, state: str | None, limit: int
) -> list[dict[str, Any]]:
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
    return [dict(row) for row in rows]

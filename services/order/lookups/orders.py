"""What the write side reads of an order beside its stream: its status, acceptance time, channel
and confirmation deadline, from `order_summary`.

That table is also the orders list's read model. It is written in the transaction of every
order event, so it is never behind; a copy of these columns of the write side's own would cost
a second row write per order event on the hottest path.
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from shared.db import Connection, placeholders
from shared.envelope import parse_time


async def accepted_at(conn: Connection, order_id: str) -> datetime:
    """When the order was accepted (its `OrderPlaced`): its deadline counts from then."""
    return parse_time(
        await conn.fetchval("SELECT placed_at FROM order_summary WHERE order_id = $1", order_id)
    )


async def awaiting_confirmation_before(conn: Connection, now: datetime) -> list[str]:
    rows = await conn.fetch(
        "SELECT order_id FROM order_summary WHERE confirm_by IS NOT NULL AND confirm_by <= $1"
        " ORDER BY confirm_by LIMIT 500",
        now,
    )
    return [row["order_id"] for row in rows]


async def order_channel(conn: Connection, order_id: UUID) -> str | None:
    channel = await conn.fetchval(
        "SELECT channel FROM order_summary WHERE order_id = $1", str(order_id)
    )
    return None if channel is None else str(channel)


async def order_statuses(conn: Connection, order_ids: Sequence[str]) -> dict[str, str]:
    if not order_ids:
        return {}
    rows = await conn.fetch(
        "SELECT order_id, status FROM order_summary"
        f" WHERE order_id IN ({placeholders(len(order_ids))})",
        *order_ids,
    )
    return {row["order_id"]: row["status"] for row in rows}


# Reconciliation: one row per order the service knows; `{where}` picks the orders by id.
ORDER_FACTS = "SELECT order_id, status, placed_at, updated_at FROM order_summary WHERE {where}"

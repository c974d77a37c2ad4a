"""Archiving ended orders (`gapless archive`): which orders may go, and what stays readable.

An order whose status is final (completed, cancelled or rejected: `OrderState.ended`) and whose
streams (the order's and its flow marks') have taken no event for the chosen time may move to an
archive file (shared/archive.py). Every read model keeps its rows; the one answer built from the
events, `GET /v1/orders/{id}`, is kept as it was at archiving, compressed, in `archived_order`.
"""

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.order.domain import Order
from services.order.domain.flow_marks import FlowMarks
from services.order.views.queries import order_details
from shared import rows
from shared.db import Connection, placeholders

ENDED = ("completed", "cancelled", "rejected")
STREAMS_OF_AN_ORDER = (Order, FlowMarks)
# Orders per statement.
_CHUNK = 200


@dataclass(frozen=True, slots=True)
class ArchivedOrderRow(rows.Row):
    """`GET /v1/orders/{id}` of an archived order, as it answered then."""

    table = "archived_order"
    primary_key = ("order_id",)

    order_id: str
    details: bytes  # zlib-compressed JSON


def streams_of(order_ids: Sequence[str]) -> list[str]:
    return [cls.stream_id_for(order_id) for order_id in order_ids for cls in STREAMS_OF_AN_ORDER]


def order_of_stream(stream_id: str) -> str | None:
    stream_type, _, order_id = stream_id.partition(":")
    return order_id if stream_type == Order.stream_type else None


async def archivable_orders(
    conn: Connection, *, before: datetime, limit: int, only: Sequence[str] = ()
) -> list[str]:
    """Ended orders (the oldest first, at most `limit`; among `only` if given) whose streams
    took their last event before `before`."""
    among = f" AND order_id IN ({placeholders(len(only), first=3)})" if only else ""
    candidates = await conn.fetch(
        f"SELECT order_id FROM order_summary WHERE status IN ({', '.join(map(repr, ENDED))})"
        f" AND updated_at < $1{among} ORDER BY updated_at, order_id LIMIT $2",
        before,
        limit,
        *only,
    )
    order_ids = [row["order_id"] for row in candidates]
    recent: set[str] = set()
    for start in range(0, len(order_ids), _CHUNK):
        streams = streams_of(order_ids[start : start + _CHUNK])
        found = await conn.fetch(
            "SELECT stream_id FROM stored_event"
            f" WHERE stream_id IN ({placeholders(len(streams), first=2)}) AND occurred_at >= $1",
            before,
            *streams,
        )
        recent |= {row["stream_id"].partition(":")[2] for row in found}
    return [order_id for order_id in order_ids if order_id not in recent]


async def keep_answers(conn: Connection, order_ids: Sequence[str]) -> None:
    """Keep what `GET /v1/orders/{id}` answers for each order, before its events leave."""
    kept = []
    for order_id in order_ids:
        details = await order_details(conn, UUID(order_id))
        assert details is not None, f"order {order_id} has no summary"
        answer = ArchivedOrderRow(order_id, zlib.compress(details.model_dump_json().encode()))
        kept.append(answer)
    await rows.insert_all(conn, kept, on_conflict="update")


async def forget_answers(conn: Connection, order_ids: Sequence[str]) -> None:
    """The orders' events are back in the store: their answers come from there again."""
    for start in range(0, len(order_ids), _CHUNK):
        chunk = order_ids[start : start + _CHUNK]
        await conn.execute(
            f"DELETE FROM archived_order WHERE order_id IN ({placeholders(len(chunk))})", *chunk
        )

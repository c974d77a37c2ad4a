"""Queries over the read models: orders, customers, the customer's history and revenue."""

import json
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from services.order.domain import CustomerHistory, Order
from services.order.domain.state import OrderState
from services.order.schemas import CustomerPublic, OrderSummary
from services.order.views.timeline import timeline
from shared.db import Connection, Row, placeholders
from shared.envelope import parse_time
from shared.eventstore import SqlEventStore
from shared.paging import Listing, Page, PageQuery, Where, fetch

# Orders that never went ahead count neither as history nor as revenue.
_LIVE = "s.status NOT IN ('cancelled', 'rejected')"


async def order_details(conn: Connection, order_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM order_summary WHERE order_id = $1", str(order_id))
    if row is None:
        return None
    history = await SqlEventStore().load(conn, Order.stream_id_for(str(order_id)))
    if not history:
        return await archived_details(conn, order_id)
    order = Order.rehydrate(
        str(order_id), [Order.event_from(e.event_type, e.data) for e in history]
    )
    state = order.state
    return {
        "order_id": row["order_id"],
        "channel": row["channel"],
        "status": order.status,
        "holds": sorted(state.holds),
        "customer_id": row["customer_id"],
        "external_id": row["external_id"],
        "total_cents": state.total_cents,
        "segment": row["segment"],
        "priority": row["priority"],
        "deadline": parse_time(row["deadline"]).isoformat(),
        "ship_to": state.ship_to.model_dump() if state.ship_to else None,
        "lines": [
            {
                "sku": sku,
                "quantity": quantity,
                "reserved": min(state.reserved.get(sku, 0), quantity),
                "shipped": state.shipped.get(sku, 0),
                "cancelled": state.cancelled.get(sku, 0),
                "returned": state.returned.get(sku, 0),
            }
            # A line a short pick cancelled in full stays in view, with quantity 0.
            for sku, quantity in _quantities(state).items()
        ],
        "timeline": timeline(history),
    }


def _quantities(state: OrderState) -> dict[str, int]:
    quantities = {sku: line.quantity for sku, line in state.lines.items()}
    return quantities | {sku: 0 for sku in state.cancelled if sku not in quantities}


async def order_channel(conn: Connection, order_id: UUID) -> str | None:
    channel = await conn.fetchval(
        "SELECT channel FROM order_summary WHERE order_id = $1", str(order_id)
    )
    return None if channel is None else str(channel)


async def archived_details(conn: Connection, order_id: UUID) -> dict[str, Any] | None:
    """What `order_details` answered when the order's events moved to an archive
    (services/order/views/archive.py)."""
    kept = await conn.fetchval(
        "SELECT details FROM archived_order WHERE order_id = $1", str(order_id)
    )
    return None if kept is None else dict(json.loads(zlib.decompress(kept)))


ORDERS = Listing(
    name="orders",
    source="order_summary",
    columns="order_id, status, holds, customer_id, external_id, total_cents, segment, priority,"
    " placed_at, updated_at",
    order=(("placed_at", datetime), ("order_id", str)),
    row_key=(("order_id", str),),
)


async def orders(conn: Connection, where: Where, query: PageQuery) -> Page[OrderSummary]:
    """A page of orders (or of their change feed)."""
    found = await fetch(conn, ORDERS, where, query)
    return found.with_rows([_summary(row) for row in found.rows])


def _summary(row: Row) -> OrderSummary:
    return OrderSummary.model_validate(
        {
            **dict(row),
            "holds": json.loads(row["holds"]),
            "placed_at": parse_time(row["placed_at"]).isoformat(),
            "updated_at": parse_time(row["updated_at"]).isoformat(),
        }
    )


async def customer(conn: Connection, customer_id: str) -> CustomerPublic | None:
    row = await conn.fetchrow("SELECT * FROM customer WHERE customer_id = $1", customer_id)
    return None if row is None else CustomerPublic.model_validate(dict(row))


# The pattern check looks at this many of the customer's latest live orders (and, per SKU, at
# as many of their latest lines): a bounded read however long the customer has been buying, and
# the same rule as over the whole history for customers with fewer orders than that.
HISTORY_ORDERS = 50


async def customer_history(
    conn: Connection, customer_id: str, skus: Sequence[str], *, besides: str = ""
) -> CustomerHistory:
    """The customer's latest live orders and, per SKU, lines; `besides`: an order left out
    (the one being changed is not its own history)."""
    totals = await conn.fetch(
        f"SELECT s.total_cents FROM order_summary s WHERE s.customer_id = $1 AND {_LIVE}"
        " AND s.order_id <> $3 ORDER BY s.placed_at DESC LIMIT $2",
        customer_id,
        HISTORY_ORDERS,
        besides,
    )
    quantities: dict[str, list[int]] = {}
    for sku in dict.fromkeys(skus):
        lines = await conn.fetch(
            "SELECT l.quantity FROM order_line l JOIN order_summary s ON s.order_id = l.order_id"
            f" WHERE l.customer_id = $1 AND l.sku = $2 AND {_LIVE} AND l.order_id <> $4"
            " ORDER BY l.placed_at DESC LIMIT $3",
            customer_id,
            sku,
            HISTORY_ORDERS,
            besides,
        )
        if lines:
            quantities[sku] = [line["quantity"] for line in lines]
    return CustomerHistory(
        order_totals=tuple(row["total_cents"] for row in totals), line_quantities=quantities
    )


async def revenue_since(conn: Connection, since: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Revenue per customer and per SKU of live orders since `since`; every known one, 0 or more."""
    customers = {
        row["customer_id"]: 0 for row in await conn.fetch("SELECT customer_id FROM customer")
    }
    items = {row["sku"]: 0 for row in await conn.fetch("SELECT sku FROM catalog_item")}
    rows = await conn.fetch(
        "SELECT l.customer_id, l.sku, l.quantity * l.unit_price_cents AS revenue"
        f" FROM order_line l JOIN order_summary s ON s.order_id = l.order_id"
        f" WHERE l.placed_at >= $1 AND {_LIVE}",
        since,
    )
    for row in rows:
        customers[row["customer_id"]] = customers.get(row["customer_id"], 0) + row["revenue"]
        items[row["sku"]] = items.get(row["sku"], 0) + row["revenue"]
    return customers, items


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


async def idempotent_answers(
    conn: Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(request hash, order id) of the (channel, key) pairs already answered."""
    return await _answers(conn, "idempotency_record", "key", keys)


async def orders_by_external_id(
    conn: Connection, refs: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(request hash, order id) of the (channel, external id) pairs already placed."""
    return await _answers(conn, "channel_order_ref", "external_id", refs)


async def _answers(
    conn: Connection, table: str, column: str, pairs: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(request hash, order id) by (channel, `column`) for the pairs found in `table`."""
    if not pairs:
        return {}
    values = ", ".join(f"(${2 * i + 1}, ${2 * i + 2})" for i in range(len(pairs)))
    rows = await conn.fetch(
        f"SELECT channel, {column}, request_hash, order_id FROM {table}"
        f" WHERE (channel, {column}) IN (VALUES {values})",
        *(part for pair in pairs for part in pair),
    )
    return {(row["channel"], row[column]): (row["request_hash"], row["order_id"]) for row in rows}


async def remember_external_ids(
    conn: Connection, refs: Sequence[tuple[str, str, str, str]]
) -> None:
    """(channel, external id, request hash, order id) rows, one statement."""
    if refs:
        await conn.executemany(
            "INSERT INTO channel_order_ref (channel, external_id, request_hash, order_id)"
            " VALUES ($1, $2, $3, $4)",
            refs,
        )


async def order_statuses(conn: Connection, order_ids: Sequence[str]) -> dict[str, str]:
    if not order_ids:
        return {}
    rows = await conn.fetch(
        "SELECT order_id, status FROM order_summary"
        f" WHERE order_id IN ({placeholders(len(order_ids))})",
        *order_ids,
    )
    return {row["order_id"]: row["status"] for row in rows}


async def remember_idempotency_keys(
    conn: Connection, answers: Sequence[tuple[str, str, str, str]]
) -> None:
    """(channel, key, request hash, order id) rows, one statement."""
    if answers:
        await conn.executemany(
            "INSERT INTO idempotency_record (channel, key, request_hash, order_id)"
            " VALUES ($1, $2, $3, $4)",
            answers,
        )


# Reconciliation: one row per order the service knows; `{where}` picks the orders by id.
ORDER_FACTS = "SELECT order_id, status, placed_at, updated_at FROM order_summary WHERE {where}"

"""The customer's history the pattern check weighs, and the revenue the A/B/C classes count:
kept in `order_line`, the current lines of every order, in the transaction of their events."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.order.domain import CustomerHistory, Order
from shared import rows
from shared.db import Connection

# Orders that never went ahead count neither as history nor as revenue.
_LIVE = "s.status NOT IN ('cancelled', 'rejected')"


@dataclass(frozen=True, slots=True)
class OrderLineRow(rows.Row):
    table = "order_line"
    primary_key = ("order_id", "sku")

    order_id: str
    sku: str
    customer_id: str
    quantity: int
    unit_price_cents: int
    placed_at: datetime


async def replace_lines(conn: Connection, order: Order) -> None:
    """The order's lines as they are now (placed, changed or short-picked)."""
    placed = order.state.placed
    assert placed is not None
    placed_at = placed.received_at
    await conn.execute("DELETE FROM order_line WHERE order_id = $1", order.id)
    lines = [
        OrderLineRow(
            order.id,
            line.sku,
            customer_id=placed.customer_id,
            quantity=line.quantity,
            unit_price_cents=line.unit_price_cents,
            placed_at=placed_at,
        )
        for line in order.state.lines.values()
    ]
    await rows.insert_all(conn, lines)


# The pattern check looks at this many of the customer's latest live orders (and, per SKU, at
# as many of their latest lines): a bounded read however long the customer has been buying, and
# the same rule as over the whole history for customers with fewer orders than that.
HISTORY_ORDERS = 50


async def customer_history(
    conn: Connection, customer_id: str, skus: Sequence[str], *, besides: str = ""
) -> CustomerHistory:
    """The customer's latest live orders and, per SKU, lines; `besides`: an order left out
    (the one being changed is not its own history). One statement: a bounded index range per
    part (the orders, then each SKU's lines), however long the customer's history."""
    wanted = list(dict.fromkeys(skus))
    parts = [
        "SELECT NULL AS sku, s.total_cents AS amount FROM order_summary s"
        f" WHERE s.customer_id = $1 AND {_LIVE} AND s.order_id <> $2"
        f" ORDER BY s.placed_at DESC LIMIT {HISTORY_ORDERS}",
        *(
            "SELECT l.sku, l.quantity AS amount FROM order_line l"
            " JOIN order_summary s ON s.order_id = l.order_id"
            f" WHERE l.customer_id = $1 AND l.sku = ${n} AND {_LIVE} AND l.order_id <> $2"
            f" ORDER BY l.placed_at DESC LIMIT {HISTORY_ORDERS}"
            for n in range(3, len(wanted) + 3)
        ),
    ]
    found = await conn.fetch(
        " UNION ALL ".join(f"SELECT * FROM ({part}) AS part{n}" for n, part in enumerate(parts)),
        customer_id,
        besides,
        *wanted,
    )
    totals: list[int] = []
    quantities: dict[str, list[int]] = {}
    for row in found:
        sku, amount = row["sku"], int(row["amount"])
        (totals if sku is None else quantities.setdefault(sku, [])).append(amount)
    return CustomerHistory(order_totals=tuple(totals), line_quantities=quantities)


async def revenue_since(conn: Connection, since: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Revenue per customer and per SKU of live orders since `since`; every known one, 0 or more."""
    customers = {
        row["customer_id"]: 0 for row in await conn.fetch("SELECT customer_id FROM customer")
    }
    items = {row["sku"]: 0 for row in await conn.fetch("SELECT sku FROM catalog_item")}
    lines = await conn.fetch(
        "SELECT l.customer_id, l.sku, l.quantity * l.unit_price_cents AS revenue"
        f" FROM order_line l JOIN order_summary s ON s.order_id = l.order_id"
        f" WHERE l.placed_at >= $1 AND {_LIVE}",
        since,
    )
    for row in lines:
        customers[row["customer_id"]] = customers.get(row["customer_id"], 0) + row["revenue"]
        items[row["sku"]] = items.get(row["sku"], 0) + row["revenue"]
    return customers, items

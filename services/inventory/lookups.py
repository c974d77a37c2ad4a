"""What the inventory write side reads: the SKUs and terms of an order's claims, and each
order's facts for reconciliation.

All come from each order's claim per SKU, a read model (the backorder view lists it): inventory
has no table of its own here, only these queries of it.
"""

from uuid import UUID

from shared.db import Connection


async def order_skus(conn: Connection, order_id: UUID) -> list[str]:
    """The SKUs an order has (had) a claim on."""
    rows = await conn.fetch("SELECT sku FROM stock_order_line WHERE order_id = $1", str(order_id))
    return [row["sku"] for row in rows]


async def order_terms(conn: Connection, order_id: UUID) -> tuple[int, str] | None:
    """An order's priority and deadline, as its first line here recorded them."""
    row = await conn.fetchrow(
        "SELECT priority, deadline FROM stock_order_line WHERE order_id = $1 ORDER BY sku LIMIT 1",
        str(order_id),
    )
    return (row["priority"], row["deadline"]) if row else None


# Reconciliation: one row per order the service knows; `{where}` picks the orders by id.
ORDER_FACTS = (
    "SELECT order_id, SUM(reserved) AS reserved, SUM(backordered) AS backordered,"
    " SUM(shipped) AS shipped FROM stock_order_line WHERE {where} GROUP BY order_id"
)

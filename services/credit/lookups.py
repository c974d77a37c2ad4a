"""What the credit write side reads: the customer whose account decided an order, and each
order's facts for reconciliation.

Both read read-model tables that the API shows too (an account counts the orders it decided,
the review queue lists reviews): credit has no table of its own here, only these queries.
"""

from uuid import UUID

from shared.db import Connection


async def customer_of(conn: Connection, order_id: UUID) -> str | None:
    """Which customer's account decided this order (None: credit never saw it)."""
    customer_id: str | None = await conn.fetchval(
        "SELECT customer_id FROM credit_order WHERE order_id = $1", str(order_id)
    )
    return customer_id


# Reconciliation: one row per order the service knows; `{where}` picks the orders by id.
ORDER_FACTS = (
    "SELECT order_id, EXISTS (SELECT 1 FROM credit_review r WHERE r.order_id ="
    " credit_order.order_id AND r.status = 'open') AS open_review FROM credit_order"
    " WHERE {where}"
)

"""Reading a service's facts for a reconciliation request: its page of orders and the ids asked."""

from uuid import UUID

from shared.db import Connection, Row
from shared.facts import ReconciliationRequested, page_end


async def facts_of(
    conn: Connection, query: str, request: ReconciliationRequested
) -> tuple[list[Row], UUID | None]:
    """Rows of `query` (one per order; `{where}` filters its `order_id`) for the request's page
    and ids, in id order, and the page's end."""
    page = await conn.fetch(
        query.format(where="order_id > $1") + " ORDER BY order_id LIMIT $2",
        str(request.after or ""),
        request.limit,
    )
    rows = {row["order_id"]: row for row in page}
    if ids := sorted({str(order_id) for order_id in request.order_ids} - rows.keys()):
        marks = ", ".join(f"${n}" for n in range(1, len(ids) + 1))
        for row in await conn.fetch(query.format(where=f"order_id IN ({marks})"), *ids):
            rows[row["order_id"]] = row
    return [rows[order_id] for order_id in sorted(rows)], page_end(
        [row["order_id"] for row in page], request.limit
    )

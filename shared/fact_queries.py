"""Answering a reconciliation request: reading a service's facts for its page of orders and the
ids asked, and recording them as the service's answer."""

from collections.abc import Awaitable, Callable
from uuid import UUID

from shared.db import Connection, Row
from shared.envelope import Envelope
from shared.facts import FactReport, ReconciliationRequested, page_end
from shared.messages import DomainEvent, Message
from shared.unit_of_work import UnitOfWork


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


def facts_reporter(
    service: str,
    *,
    query: str,
    report: type[FactReport],
    answer: type[DomainEvent],
    facts: Callable[[Row], Message],
) -> Callable[[ReconciliationRequested, Envelope, UnitOfWork], Awaitable[None]]:
    """The handler by which `service` answers the requests naming it: one `answer` event
    (`run_id`, `orders`: `facts` of each row of `query`, `page_end`) on the run's `report`."""

    async def report_facts_when_reconciliation_requested(
        event: ReconciliationRequested, _: Envelope, uow: UnitOfWork
    ) -> None:
        if not event.asks(service):
            return
        rows, end = await facts_of(uow.conn, query, event)
        reported = answer.model_validate(
            {"run_id": event.run_id, "orders": tuple(map(facts, rows)), "page_end": end}
        )
        (await uow.get_or_create(report, str(event.run_id))).answer(reported)

    return report_facts_when_reconciliation_requested

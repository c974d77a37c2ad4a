"""The order service's facts for reconciliation: each order's status."""

from services.order.domain.fact_report import OrderFactReport
from services.order.events import OrderFacts, OrderFactsReported
from services.order.views import queries as views
from shared.envelope import Envelope, parse_time
from shared.fact_queries import facts_of
from shared.facts import ReconciliationRequested
from shared.unit_of_work import UnitOfWork


async def report_facts_when_reconciliation_requested(
    event: ReconciliationRequested, _: Envelope, uow: UnitOfWork
) -> None:
    if not event.asks("order"):
        return
    rows, page_end = await facts_of(uow.conn, views.ORDER_FACTS, event)
    orders = tuple(
        OrderFacts(
            order_id=row["order_id"],
            status=row["status"],
            placed_at=parse_time(row["placed_at"]),
            updated_at=parse_time(row["updated_at"]),
        )
        for row in rows
    )
    report = await uow.get_or_create(OrderFactReport, str(event.run_id))
    report.answer(OrderFactsReported(run_id=event.run_id, orders=orders, page_end=page_end))

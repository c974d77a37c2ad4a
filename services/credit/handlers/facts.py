"""Credit's facts for reconciliation: the orders it decided, and those in review."""

from services.credit import views
from services.credit.domain.fact_report import CreditFactReport
from services.credit.events import CreditFactsReported, OrderCreditFacts
from shared.envelope import Envelope
from shared.fact_queries import facts_of
from shared.facts import ReconciliationRequested
from shared.unit_of_work import UnitOfWork


async def report_facts_when_reconciliation_requested(
    event: ReconciliationRequested, _: Envelope, uow: UnitOfWork
) -> None:
    if not event.asks("credit"):
        return
    rows, page_end = await facts_of(uow.conn, views.ORDER_FACTS, event)
    orders = tuple(
        OrderCreditFacts(order_id=row["order_id"], open_review=bool(row["open_review"]))
        for row in rows
    )
    report = await uow.get_or_create(CreditFactReport, str(event.run_id))
    report.answer(CreditFactsReported(run_id=event.run_id, orders=orders, page_end=page_end))

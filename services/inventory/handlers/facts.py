"""Inventory's facts for reconciliation: what it holds for each order asked."""

from services.inventory import views
from services.inventory.domain.fact_report import StockFactReport
from services.inventory.events import OrderStockFacts, StockFactsReported
from shared.envelope import Envelope
from shared.fact_queries import facts_of
from shared.facts import ReconciliationRequested
from shared.unit_of_work import UnitOfWork


async def report_facts_when_reconciliation_requested(
    event: ReconciliationRequested, _: Envelope, uow: UnitOfWork
) -> None:
    if not event.asks("inventory"):
        return
    rows, page_end = await facts_of(uow.conn, views.ORDER_FACTS, event)
    orders = tuple(
        OrderStockFacts(
            order_id=row["order_id"],
            reserved=row["reserved"],
            backordered=row["backordered"],
            shipped=row["shipped"],
        )
        for row in rows
    )
    report = await uow.get_or_create(StockFactReport, str(event.run_id))
    report.answer(StockFactsReported(run_id=event.run_id, orders=orders, page_end=page_end))

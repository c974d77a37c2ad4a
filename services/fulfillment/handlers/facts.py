"""Fulfillment's facts for reconciliation: shipments and invoices of each order asked."""

from datetime import datetime

from services.fulfillment.domain.fact_report import FulfillmentFactReport
from services.fulfillment.events import FulfillmentFactsReported, OrderFulfillmentFacts
from services.fulfillment.views import shipments as views
from shared.envelope import Envelope, parse_time
from shared.fact_queries import facts_of
from shared.facts import ReconciliationRequested
from shared.unit_of_work import UnitOfWork


async def report_facts_when_reconciliation_requested(
    event: ReconciliationRequested, _: Envelope, uow: UnitOfWork
) -> None:
    if not event.asks("fulfillment"):
        return
    rows, page_end = await facts_of(uow.conn, views.ORDER_FACTS, event)
    orders = tuple(
        OrderFulfillmentFacts(
            order_id=row["order_id"],
            shipments=row["shipments"],
            shipped=row["shipped"],
            last_shipped_at=_time(row["last_shipped_at"]),
            invoices=row["invoices"],
        )
        for row in rows
    )
    report = await uow.get_or_create(FulfillmentFactReport, str(event.run_id))
    report.answer(FulfillmentFactsReported(run_id=event.run_id, orders=orders, page_end=page_end))


def _time(value: datetime | str | None) -> datetime | None:
    return None if value is None else parse_time(value)

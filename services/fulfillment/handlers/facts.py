"""Fulfillment's facts for reconciliation: shipments and invoices of each order asked."""

from services.fulfillment import lookups
from services.fulfillment.domain.fact_report import FulfillmentFactReport
from services.fulfillment.events import FulfillmentFactsReported, OrderFulfillmentFacts
from shared.db import Row
from shared.envelope import parse_time
from shared.fact_queries import facts_reporter


def _facts(row: Row) -> OrderFulfillmentFacts:
    last_shipped_at = row["last_shipped_at"]
    return OrderFulfillmentFacts(
        order_id=row["order_id"],
        shipments=row["shipments"],
        shipped=row["shipped"],
        last_shipped_at=None if last_shipped_at is None else parse_time(last_shipped_at),
        invoices=row["invoices"],
    )


report_facts_when_reconciliation_requested = facts_reporter(
    "fulfillment",
    query=lookups.ORDER_FACTS,
    report=FulfillmentFactReport,
    answer=FulfillmentFactsReported,
    facts=_facts,
)

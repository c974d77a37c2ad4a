"""The order service's facts for reconciliation: each order's status."""

from services.order.domain.fact_report import OrderFactReport
from services.order.events import OrderFacts, OrderFactsReported
from services.order.lookups import orders
from shared.db import Row
from shared.envelope import parse_time
from shared.fact_queries import facts_reporter


def _facts(row: Row) -> OrderFacts:
    return OrderFacts(
        order_id=row["order_id"],
        status=row["status"],
        placed_at=parse_time(row["placed_at"]),
        updated_at=parse_time(row["updated_at"]),
    )


report_facts_when_reconciliation_requested = facts_reporter(
    "order",
    query=orders.ORDER_FACTS,
    report=OrderFactReport,
    answer=OrderFactsReported,
    facts=_facts,
)

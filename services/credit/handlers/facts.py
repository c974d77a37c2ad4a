"""Credit's facts for reconciliation: the orders it decided, and those in review."""

from services.credit import lookups
from services.credit.domain.fact_report import CreditFactReport
from services.credit.events import CreditFactsReported, OrderCreditFacts
from shared.db import Row
from shared.fact_queries import facts_reporter


def _facts(row: Row) -> OrderCreditFacts:
    return OrderCreditFacts(order_id=row["order_id"], open_review=bool(row["open_review"]))


report_facts_when_reconciliation_requested = facts_reporter(
    "credit",
    query=lookups.ORDER_FACTS,
    report=CreditFactReport,
    answer=CreditFactsReported,
    facts=_facts,
)

"""Inventory's facts for reconciliation: what it holds for each order asked."""

from services.inventory import lookups
from services.inventory.domain.fact_report import StockFactReport
from services.inventory.events import OrderStockFacts, StockFactsReported
from shared.db import Row
from shared.fact_queries import facts_reporter


def _facts(row: Row) -> OrderStockFacts:
    return OrderStockFacts(
        order_id=row["order_id"],
        reserved=row["reserved"],
        backordered=row["backordered"],
        shipped=row["shipped"],
    )


report_facts_when_reconciliation_requested = facts_reporter(
    "inventory",
    query=lookups.ORDER_FACTS,
    report=StockFactReport,
    answer=StockFactsReported,
    facts=_facts,
)

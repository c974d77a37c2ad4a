"""Inventory's answers to the andon service's reconciliation requests."""

from services.inventory.events import StockFactsReported
from shared.aggregate import event_map
from shared.facts import FactReport


class StockFactReport(FactReport):
    event_classes = event_map(StockFactsReported)

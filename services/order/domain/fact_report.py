"""Order's answers to the andon service's reconciliation requests."""

from services.order.events import OrderFactsReported
from shared.aggregate import event_map
from shared.facts import FactReport


class OrderFactReport(FactReport):
    event_classes = event_map(OrderFactsReported)

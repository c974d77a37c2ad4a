"""Credit's answers to the andon service's reconciliation requests."""

from services.credit.events import CreditFactsReported
from shared.aggregate import event_map
from shared.facts import FactReport


class CreditFactReport(FactReport):
    event_classes = event_map(CreditFactsReported)

"""Fulfillment's answers to the andon service's reconciliation requests."""

from services.fulfillment.events import FulfillmentFactsReported
from shared.aggregate import event_map
from shared.facts import FactReport


class FulfillmentFactReport(FactReport):
    event_classes = event_map(FulfillmentFactsReported)

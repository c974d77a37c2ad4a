"""Topic names: one events topic per owning service, the WMS/TMS topics, one DLQ per group."""

from shared.deadletter import dlq_topic

SERVICES = ("order", "inventory", "credit", "fulfillment", "andon")
# Consumer groups besides the five services: the built-in simulated WMS/TMS.
OTHER_GROUPS = ("simulator",)

# Outward topics: what a warehouse or transport system reads and answers on.
WMS_PICK_REQUESTS = "wms.pick-requests"
WMS_CONFIRMATIONS = "wms.confirmations"
TMS_SHIPMENT_REQUESTS = "tms.shipment-requests"
TMS_CONFIRMATIONS = "tms.confirmations"
OUTWARD_TOPICS = (WMS_PICK_REQUESTS, WMS_CONFIRMATIONS, TMS_SHIPMENT_REQUESTS, TMS_CONFIRMATIONS)


def events_topic(service: str) -> str:
    return f"{service}.events"


def all_topics() -> list[str]:
    """Every topic the system uses, created up front in scale-out (auto-creation is off)."""
    return (
        [events_topic(s) for s in SERVICES]
        + list(OUTWARD_TOPICS)
        + [dlq_topic(group) for group in SERVICES + OTHER_GROUPS]
    )

"""Topic names: one events topic per owning service and the WMS/TMS topics (the dead-letter
topic of a consumer group: shared.deadletter.dlq_topic)."""

# Outward topics: what a warehouse or transport system reads and answers on.
WMS_PICK_REQUESTS = "wms.pick-requests"
WMS_CONFIRMATIONS = "wms.confirmations"
TMS_SHIPMENT_REQUESTS = "tms.shipment-requests"
TMS_CONFIRMATIONS = "tms.confirmations"
OUTWARD_TOPICS = (WMS_PICK_REQUESTS, WMS_CONFIRMATIONS, TMS_SHIPMENT_REQUESTS, TMS_CONFIRMATIONS)


def events_topic(service: str) -> str:
    return f"{service}.events"

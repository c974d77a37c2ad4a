"""Topic names: one events topic per owning service, one dead-letter topic per consumer group."""

from shared.deadletter import dlq_topic

SERVICES = ("order", "inventory", "credit", "fulfillment", "andon")


def events_topic(service: str) -> str:
    return f"{service}.events"


def all_topics() -> list[str]:
    """Every topic the system uses, created up front in scale-out (auto-creation is off)."""
    return [events_topic(s) for s in SERVICES] + [dlq_topic(s) for s in SERVICES]

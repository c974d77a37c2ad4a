"""The order's timeline: every hand-off, who made it and when, from the order's own stream."""

from collections.abc import Sequence

from services.order.events import OrderPlaced
from services.order.schemas import TimelineEntry
from shared.envelope import Envelope, parse_time
from shared.messages import DomainEvent

# Answers the order recorded, shown as the fact the other department published.
_ANSWERS = {
    "CreditApprovalRecorded": ("credit", "CreditApproved"),
    "CreditReviewRecorded": ("credit", "CreditReviewRequired"),
    "CreditDeclineRecorded": ("credit", "CreditDeclined"),
    "CreditReleaseRecorded": ("credit", "CreditReleased"),
    "StockReservationRecorded": ("inventory", "StockReserved"),
    "StockBackorderRecorded": ("inventory", "StockBackordered"),
    "StockReleaseRecorded": ("inventory", "StockReleased"),
    "StockBumpRecorded": ("inventory", "StockBumped"),
    "ShipmentRecorded": ("fulfillment", "ShipmentShipped"),
    "InvoiceRecorded": ("fulfillment", "InvoiceIssued"),
    "InvoicePaymentRecorded": ("fulfillment", "InvoicePaid"),
    "ReturnReceiptRecorded": ("fulfillment", "ReturnReceived"),
    "CreditNoteRecorded": ("fulfillment", "CreditNoteIssued"),
    "AddressChangeRecorded": ("fulfillment", "ShipmentAddressChanged"),
    "AddressChangeRefusalRecorded": ("fulfillment", "ShipmentAddressChangeRefused"),
}


def timeline(history: Sequence[Envelope], events: Sequence[DomainEvent]) -> list[TimelineEntry]:
    """`events`: the stream's events read back typed, one per envelope of `history`."""
    event_types = {str(e.event_id): e.event_type for e in history}
    entries: list[TimelineEntry] = []
    for envelope, event in zip(history, events, strict=True):
        if isinstance(event, OrderPlaced):
            entries.append(_received(event))
        entries.append(_entry(envelope, event_types))
    return entries


def _received(placed: OrderPlaced) -> TimelineEntry:
    return TimelineEntry(
        at=placed.received_at.isoformat(),
        service="order",
        event="OrderReceived",
        detail={"channel": placed.channel, "external_id": placed.external_id},
    )


def _entry(envelope: Envelope, event_types: dict[str, str]) -> TimelineEntry:
    """An event's entry, its data as recorded (every field, whatever the event's version)."""
    detail = {k: v for k, v in envelope.data.items() if k not in ("order_id", "received_at")}
    recorded_at = envelope.occurred_at.isoformat()
    if envelope.event_type not in _ANSWERS:
        return TimelineEntry(
            at=recorded_at,
            # Only holds an andon pull placed or lifted name the pull: they are its hand-offs.
            service="andon" if detail.get("pull_id") else "order",
            event=envelope.event_type,
            detail=detail,
        )
    service, event = _ANSWERS[envelope.event_type]
    answered_at = _iso(detail.pop("answered_at"))
    cause = detail.pop("in_reply_to", None)
    detail["recorded_at"] = recorded_at
    if cause is not None:
        detail["in_reply_to"] = event_types.get(cause, cause)
    return TimelineEntry(at=answered_at, service=service, event=event, detail=detail)


def _iso(value: str) -> str:
    """One spelling of times across entries (event data says Z, envelopes +00:00)."""
    return parse_time(value.replace("Z", "+00:00")).isoformat()

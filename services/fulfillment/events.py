"""Fulfillment events: PUBLISHED on `fulfillment.events`, OUTWARD to the WMS and TMS."""

from typing import Final, Literal
from uuid import UUID

from pydantic import AwareDatetime, NonNegativeInt, PositiveInt

from shared.messages import DomainEvent, Message

# The confirmation that came up short: the WMS at picking or packing, the TMS at shipping.
ShortStep = Literal["picked", "packed", "shipped"]
# What inspection decided for returned units: back on the shelf, or kept apart unsold.
Disposition = Literal["restock", "quarantine"]


class ShipTo(Message):
    name: str
    line1: str
    city: str
    postal_code: str
    country: str


class PricedLine(Message):
    sku: str
    quantity: PositiveInt
    unit_price_cents: NonNegativeInt


class PickLine(Message):
    sku: str
    quantity: PositiveInt


class InvoiceLine(Message):
    sku: str
    quantity: PositiveInt
    unit_price_cents: NonNegativeInt
    amount_cents: NonNegativeInt


class ReturnedLine(Message):
    sku: str
    quantity: PositiveInt


class ReceivedLine(Message):
    sku: str
    quantity: PositiveInt
    disposition: Disposition


# Internal: the shipment's own history, never published.


class ShipmentPlanned(DomainEvent):
    """A release became a shipment that waits for the next pick wave."""

    shipment_id: UUID
    order_id: UUID
    release_no: PositiveInt
    customer_id: str
    lines: tuple[PricedLine, ...]
    priority: int
    deadline: AwareDatetime
    ship_to: ShipTo | None


class ShipmentPicked(DomainEvent):
    shipment_id: UUID
    order_id: UUID


class ShipmentPacked(DomainEvent):
    shipment_id: UUID
    order_id: UUID


class PicksStopped(DomainEvent):
    """An andon pull on a SKU, order or customer: its waiting shipments are not picked."""

    pull_id: UUID
    target_kind: str
    target_id: str


class PicksResumed(DomainEvent):
    """The pull was resolved: the shipments it held join the next wave."""

    pull_id: UUID
    target_kind: str
    target_id: str


class ReturnAuthorised(DomainEvent):
    """The order service authorised a return (its RMA): the warehouse expects these goods."""

    return_id: UUID
    order_id: UUID
    return_no: PositiveInt
    lines: tuple[ReturnedLine, ...]
    reason: str


# Outward: requests to the warehouse and the carrier.


class PickRequested(DomainEvent):
    shipment_id: UUID
    order_id: UUID
    wave_id: UUID
    lines: tuple[PickLine, ...]
    priority: int
    deadline: AwareDatetime


class PickCancelled(DomainEvent):
    """Tells the WMS to stop picking a cancelled shipment: ShipmentCancelled on its topic."""

    shipment_id: UUID
    order_id: UUID
    reason: str


class ShipmentRequested(DomainEvent):
    shipment_id: UUID
    order_id: UUID
    ship_to: ShipTo | None
    lines: tuple[PickLine, ...]


class ShipmentRequestAmended(DomainEvent):
    """The order's address changed after the TMS had the shipment request: the whole request
    again, with the new address, replacing the one the TMS holds."""

    shipment_id: UUID
    order_id: UUID
    ship_to: ShipTo
    lines: tuple[PickLine, ...]


class ShipmentRequestCancelled(DomainEvent):
    """Tells the TMS not to collect a shipment that was cancelled after it was packed."""

    shipment_id: UUID
    order_id: UUID
    reason: str


# Published on fulfillment.events.


class ShipmentShipped(DomainEvent):
    shipment_id: UUID
    order_id: UUID
    release_no: PositiveInt
    lines: tuple[PickLine, ...]
    carrier: str
    tracking_number: str


class ShipmentDelivered(DomainEvent):
    shipment_id: UUID
    order_id: UUID


class ShipmentCancelled(DomainEvent):
    shipment_id: UUID
    order_id: UUID
    reason: str
    # The release it was to ship (absent on shipments cancelled before it was published).
    release_no: PositiveInt | None = None


class ShipmentShortPicked(DomainEvent):
    """The WMS (or the TMS) confirmed fewer units than the shipment asked for: `lines` are the
    units missing at that `step`; the shipment goes on with the rest, and is cancelled when
    nothing is left of it."""

    shipment_id: UUID
    order_id: UUID
    release_no: PositiveInt
    step: ShortStep
    lines: tuple[PickLine, ...]


class ShipmentAddressChanged(DomainEvent):
    """The shipment goes to the order's new address; `amended`: the TMS already had the request
    and was sent `ShipmentRequestAmended`."""

    shipment_id: UUID
    order_id: UUID
    ship_to: ShipTo
    amended: bool


class ShipmentAddressChangeRefused(DomainEvent):
    """The shipment could not take the order's new address (`requested`): it had already shipped,
    or the carrier collected it before the amendment reached it. It goes (went) to `ship_to`."""

    shipment_id: UUID
    order_id: UUID
    ship_to: ShipTo | None
    requested: ShipTo
    reason: str


class ShipmentHeld(DomainEvent):
    """A waiting shipment is kept out of the pick waves by an andon pull."""

    shipment_id: UUID
    order_id: UUID
    pull_id: UUID


class ShipmentHoldLifted(DomainEvent):
    """The pull was resolved; with no other hold the shipment joins the next wave."""

    shipment_id: UUID
    order_id: UUID
    pull_id: UUID


class InvoiceIssued(DomainEvent):
    """Exactly what shipped: lines, quantities, prices and totals of one shipment."""

    invoice_id: UUID
    order_id: UUID
    shipment_id: UUID
    customer_id: str
    lines: tuple[InvoiceLine, ...]
    total_cents: NonNegativeInt


class PaymentRecorded(DomainEvent):
    invoice_id: UUID
    order_id: UUID
    customer_id: str
    amount_cents: PositiveInt
    paid_cents: NonNegativeInt


class InvoicePaid(DomainEvent):
    invoice_id: UUID
    order_id: UUID
    customer_id: str
    total_cents: NonNegativeInt


class ReturnReceived(DomainEvent):
    """The goods of a return arrived and were inspected: each line restocked or quarantined."""

    return_id: UUID
    order_id: UUID
    return_no: PositiveInt
    lines: tuple[ReceivedLine, ...]


class CreditNoteIssued(DomainEvent):
    """Credit for returned units, against the invoice that billed them, at its prices. What
    the invoice still had open is reduced (`applied_cents`); the rest, already paid, is refunded
    to the customer (`refund_cents`)."""

    credit_note_id: UUID
    invoice_id: UUID
    order_id: UUID
    customer_id: str
    return_id: UUID
    lines: tuple[InvoiceLine, ...]
    total_cents: NonNegativeInt
    applied_cents: NonNegativeInt
    refund_cents: NonNegativeInt


class OrderFulfillmentFacts(Message):
    """Fulfillment's shipments and invoices of one order (`last_shipped_at`: null if none)."""

    order_id: UUID
    shipments: NonNegativeInt
    shipped: NonNegativeInt
    last_shipped_at: AwareDatetime | None
    invoices: NonNegativeInt


class FulfillmentFactsReported(DomainEvent):
    """Fulfillment's answer to a `ReconciliationRequested`: the orders it has shipments of."""

    run_id: UUID
    orders: tuple[OrderFulfillmentFacts, ...]
    page_end: UUID | None


PUBLISHED: Final = (
    FulfillmentFactsReported,
    ShipmentShipped,
    ShipmentDelivered,
    ShipmentCancelled,
    ShipmentShortPicked,
    ShipmentHeld,
    ShipmentHoldLifted,
    ShipmentAddressChanged,
    ShipmentAddressChangeRefused,
    InvoiceIssued,
    PaymentRecorded,
    InvoicePaid,
    ReturnReceived,
    CreditNoteIssued,
)
# Published on the WMS/TMS topics instead (see service.py for which goes where).
OUTWARD: Final = (
    PickRequested,
    PickCancelled,
    ShipmentRequested,
    ShipmentRequestAmended,
    ShipmentRequestCancelled,
)

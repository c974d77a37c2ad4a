"""Events of the order service; PUBLISHED lists those that leave it on `order.events`."""

from typing import Final, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, NonNegativeInt, PositiveInt

from shared.messages import DomainEvent, Message

CreditLight = Literal["green", "yellow", "red"]
Tier = Literal["strategic", "vip", "regular"]
AbcClass = Literal["A", "B", "C"]
BackorderRule = Literal["ship_partial", "wait_complete"]
Hold = Literal["pattern_check", "credit_review", "backorder", "andon"]
ShortPickOutcome = Literal["backordered", "cancelled"]


class OrderLine(Message):
    sku: str
    quantity: PositiveInt
    unit_price_cents: NonNegativeInt


class ShipTo(Message):
    name: str
    line1: str
    city: str
    postal_code: str
    country: str


class LineChange(Message):
    sku: str
    quantity_delta: int


class ShippedLine(Message):
    sku: str
    quantity: PositiveInt


class SegmentPolicy(Message):
    target_fill_rate: float = Field(ge=0, le=1)
    target_response_minutes: PositiveInt
    priority_weight: PositiveInt
    backorder_rule: BackorderRule


class SegmentTable(Message):
    """The 3x3 grid: customer class (first letter) x item class (second letter)."""

    AA: SegmentPolicy
    AB: SegmentPolicy
    AC: SegmentPolicy
    BA: SegmentPolicy
    BB: SegmentPolicy
    BC: SegmentPolicy
    CA: SegmentPolicy
    CB: SegmentPolicy
    CC: SegmentPolicy


class PatternCheckPolicy(Message):
    order_value_multiplier: float = Field(default=5, gt=0)
    line_quantity_multiplier: float = Field(default=5, gt=0)
    min_history_orders: PositiveInt = 3
    first_order_threshold_cents: NonNegativeInt = 100_000
    confirmation_timeout_minutes: PositiveInt = 60


class DefectPolicy(Message):
    """`count` returns or complaints of one SKU within `window_minutes` pull an andon on it."""

    count: PositiveInt
    window_minutes: PositiveInt


# Master data and policy.


class ItemDefined(DomainEvent):
    sku: str
    name: str
    unit_price_cents: NonNegativeInt
    reorder_point: NonNegativeInt = 0


class ItemClassified(DomainEvent):
    sku: str
    item_class: AbcClass
    revenue_cents: NonNegativeInt


class CustomerDefined(DomainEvent):
    customer_id: str
    name: str
    credit_light: CreditLight
    credit_limit_cents: NonNegativeInt
    review_threshold_cents: NonNegativeInt
    tier: Tier


class CustomerClassified(DomainEvent):
    customer_id: str
    customer_class: AbcClass
    revenue_cents: NonNegativeInt


class PolicyChanged(DomainEvent):
    version: PositiveInt
    segments: SegmentTable
    pattern_check: PatternCheckPolicy
    # Optional (absent, not null, when no rule is set): the andon service's defect rule.
    defects: DefectPolicy | None = Field(default=None, exclude_if=lambda rule: rule is None)


# The order's own decisions.


class OrderPlaced(DomainEvent):
    order_id: UUID
    customer_id: str
    channel: str
    external_id: str | None
    lines: tuple[OrderLine, ...]
    total_cents: NonNegativeInt
    ship_to: ShipTo
    segment: str
    priority: PositiveInt
    deadline: AwareDatetime
    backorder_rule: BackorderRule
    # Order entry time is accepted (this event's time) minus received.
    received_at: AwareDatetime


class OrderHeld(DomainEvent):
    """A hold opened; for `andon`, one per pull that holds the order (`pull_id`)."""

    order_id: UUID
    hold: Hold
    reason: str
    confirm_by: AwareDatetime | None = None
    pull_id: UUID | None = None


class OrderHoldLifted(DomainEvent):
    """A hold closed; for `andon`, one per resolved pull: `still_held` while other pulls hold it."""

    order_id: UUID
    hold: Hold
    reason: str
    pull_id: UUID | None = None
    still_held: bool = False


class OrderConfirmed(DomainEvent):
    order_id: UUID


class OrderReleased(DomainEvent):
    order_id: UUID
    release_no: PositiveInt
    customer_id: str
    lines: tuple[OrderLine, ...]
    priority: PositiveInt
    deadline: AwareDatetime
    ship_to: ShipTo


class OrderChanged(DomainEvent):
    order_id: UUID
    lines: tuple[OrderLine, ...]
    changes: tuple[LineChange, ...]
    total_cents: NonNegativeInt
    ship_to: ShipTo


class OrderCancelled(DomainEvent):
    order_id: UUID
    reason: str


class OrderRejected(DomainEvent):
    order_id: UUID
    reason: str


class OrderCompleted(DomainEvent):
    order_id: UUID
    total_cents: NonNegativeInt


class ReturnRecorded(DomainEvent):
    """A return authorised (the RMA): `return_id` names it to the warehouse that receives the
    goods and credits them (absent on returns recorded before returns were received)."""

    order_id: UUID
    return_no: PositiveInt
    lines: tuple[ShippedLine, ...]
    reason: str
    return_id: UUID | None = None


class OrderShortPicked(DomainEvent):
    """A shipment of the order came up short (`lines`: the units missing, at the order's
    prices; `step`: the confirmation that said so). By the order's backorder rule the units are
    `backordered` (`ship_partial`: they wait for stock again and a later release ships them) or
    `cancelled` (`wait_complete`: the customer chose one complete delivery, so no second one
    follows; the order's total drops by `cancelled_cents` to `total_cents`)."""

    order_id: UUID
    shipment_id: UUID
    release_no: PositiveInt
    step: str
    lines: tuple[OrderLine, ...]
    outcome: ShortPickOutcome
    cancelled_cents: NonNegativeInt
    total_cents: NonNegativeInt


# Andon pulls as the order service noted them (internal: open stops hold new orders).
class AndonPullNoted(DomainEvent):
    pull_id: UUID
    target_kind: str
    target_id: str
    reason: str


class AndonPullCleared(DomainEvent):
    pull_id: UUID


# Answers of other departments, as the order recorded them (`answered_at`: their time).


class _Answer(DomainEvent):
    order_id: UUID
    answered_at: AwareDatetime
    in_reply_to: UUID | None = None


class CreditApprovalRecorded(_Answer):
    customer_id: str
    amount_cents: NonNegativeInt
    exposure_cents: int


class CreditReviewRecorded(_Answer):
    customer_id: str
    amount_cents: NonNegativeInt
    reason: str
    exposure_cents: int


class CreditDeclineRecorded(_Answer):
    amount_cents: NonNegativeInt
    reason: str


class CreditReleaseRecorded(_Answer):
    customer_id: str
    amount_cents: NonNegativeInt
    exposure_cents: int
    reason: str


class StockReservationRecorded(_Answer):
    sku: str
    quantity: PositiveInt
    reserved_total: NonNegativeInt


class StockBackorderRecorded(_Answer):
    sku: str
    quantity: PositiveInt


class StockReleaseRecorded(_Answer):
    sku: str
    quantity: PositiveInt
    reason: str
    # What the line holds after the release: waiting units are released before reserved ones,
    # so `quantity` alone cannot tell how much stays reserved.
    reserved_total: int | None = None
    backordered_total: int | None = None


class ShipmentRecorded(_Answer):
    shipment_id: UUID
    release_no: PositiveInt
    lines: tuple[ShippedLine, ...]
    carrier: str | None = None
    tracking_number: str | None = None


class InvoiceRecorded(_Answer):
    invoice_id: UUID
    lines: tuple[ShippedLine, ...]
    total_cents: NonNegativeInt


class InvoicePaymentRecorded(_Answer):
    invoice_id: UUID
    total_cents: NonNegativeInt


class ReceivedUnits(Message):
    sku: str
    quantity: PositiveInt
    disposition: str


class ReturnReceiptRecorded(_Answer):
    return_id: UUID
    lines: tuple[ReceivedUnits, ...]


class CreditNoteRecorded(_Answer):
    credit_note_id: UUID
    invoice_id: UUID
    return_id: UUID
    total_cents: NonNegativeInt
    applied_cents: NonNegativeInt
    refund_cents: NonNegativeInt


PUBLISHED: Final = (
    ItemDefined,
    CustomerDefined,
    CustomerClassified,
    ItemClassified,
    PolicyChanged,
    OrderPlaced,
    OrderReleased,
    OrderChanged,
    OrderCancelled,
    OrderRejected,
    OrderCompleted,
    OrderHeld,
    OrderHoldLifted,
    OrderShortPicked,
    ReturnRecorded,
)


# What the warehouse and carrier did with an order, and the complaints about it, noted for its
# KPIs only (never published):
# the order's own decisions do not depend on them.


class PickRequestNoted(DomainEvent):
    order_id: UUID
    shipment_id: UUID
    requested_at: AwareDatetime


class DeliveryNoted(DomainEvent):
    order_id: UUID
    shipment_id: UUID
    delivered_at: AwareDatetime


class ComplaintNoted(DomainEvent):
    order_id: UUID
    complaint_id: UUID
    recorded_at: AwareDatetime

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


def _absent(value: object) -> bool:
    """Optional fields added later are left out, not null, when unset."""
    return value is None


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
    # The last units of every SKU kept for orders of at least this segment's priority weight:
    # an order of lower priority may take a SKU's available stock only down to this level.
    protection_level: NonNegativeInt = 0


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
    # A fraction of a minute is allowed, as for the watch's deadlines.
    confirmation_timeout_minutes: float = Field(default=60, gt=0)


class DefectPolicy(Message):
    """`count` returns or complaints of one SKU within `window_minutes` pull an andon on it."""

    count: PositiveInt
    window_minutes: PositiveInt


class WatchDeadlines(Message):
    """How long an order may wait in each waiting state before the andon service reports a gap
    (the pattern check's is its `confirmation_timeout_minutes`, carried on the hold)."""

    credit_review_minutes: float = Field(default=8 * 60, gt=0)
    backorder_minutes: float = Field(default=3 * 24 * 60, gt=0)
    andon_hold_minutes: float = Field(default=4 * 60, gt=0)
    # After the shipment: its invoice issued, its delivery confirmed.
    invoice_minutes: float = Field(default=60, gt=0)
    delivery_minutes: float = Field(default=3 * 24 * 60, gt=0)
    # After the invoice: the payment term.
    payment_term_days: float = Field(default=30, gt=0)


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
    defects: DefectPolicy | None = Field(default=None, exclude_if=_absent)
    # The andon service's deadlines for waiting states (default in events older than it).
    deadlines: WatchDeadlines = WatchDeadlines()


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
    # Units of each SKU the order must leave available: the highest protection level of the
    # segments whose priority weight is above the order's priority (policy at intake).
    protection_floor: NonNegativeInt = 0


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
    # The order's protection floor (OrderPlaced): above 0, inventory notes the release, as a
    # higher-priority order may otherwise take the reservation.
    protection_floor: NonNegativeInt = 0


class OrderChanged(DomainEvent):
    """`ship_to` is the order's address after the change (fulfillment readdresses its shipments);
    `segment`, `priority`, `deadline` and `backorder_rule` its terms after it (absent, not null,
    in events recorded before changes carried them)."""

    order_id: UUID
    lines: tuple[OrderLine, ...]
    changes: tuple[LineChange, ...]
    total_cents: NonNegativeInt
    ship_to: ShipTo
    # The protection floor of its terms after the change (for a SKU the change adds).
    protection_floor: NonNegativeInt = 0
    segment: str | None = Field(default=None, exclude_if=_absent)
    priority: PositiveInt | None = Field(default=None, exclude_if=_absent)
    deadline: AwareDatetime | None = Field(default=None, exclude_if=_absent)
    backorder_rule: BackorderRule | None = Field(default=None, exclude_if=_absent)


class OrderDeadlineChanged(DomainEvent):
    """A change moved the date the order is promised to be released to the warehouse by."""

    order_id: UUID
    deadline: AwareDatetime
    previous_deadline: AwareDatetime
    reason: str


class OrderCancelled(DomainEvent):
    order_id: UUID
    reason: str


class OrderRejected(DomainEvent):
    order_id: UUID
    reason: str


class ReservationYielded(DomainEvent):
    """Inventory asked for reserved units of this order for a higher-priority one
    (`StockBumpRequested`) and they were not released to the warehouse: the order gives them up
    and waits for them again. It releases nothing more of the SKU until inventory says what the
    line holds after the bump (`StockBumped`)."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    to_order_id: UUID
    reason: str


class ReservationKept(DomainEvent):
    """The order keeps the units inventory asked for: they were released to the warehouse
    already, or the order ended (its stock is freed by that)."""

    order_id: UUID
    sku: str
    quantity: PositiveInt
    to_order_id: UUID
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
    # The credit account's version of `exposure_cents`: the newest exposure wins (None before
    # the answers carried it).
    exposure_version: int | None = None


class CreditReviewRecorded(_Answer):
    customer_id: str
    amount_cents: NonNegativeInt
    reason: str
    exposure_cents: int
    exposure_version: int | None = None


class CreditDeclineRecorded(_Answer):
    amount_cents: NonNegativeInt
    reason: str


class CreditReleaseRecorded(_Answer):
    customer_id: str
    amount_cents: NonNegativeInt
    exposure_cents: int
    reason: str
    exposure_version: int | None = None


class StockReservationRecorded(_Answer):
    sku: str
    quantity: PositiveInt
    reserved_total: NonNegativeInt
    # The lower-priority order whose unreleased reservation these units were (a bump).
    taken_from: UUID | None = Field(default=None, exclude_if=lambda order: order is None)


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


class StockBumpRecorded(_Answer):
    """Inventory took the units this order yielded (`quantity`, 0 when a change had freed them
    first) for `by_order_id`; the totals are what the line holds after it."""

    sku: str
    quantity: NonNegativeInt
    by_order_id: UUID
    reserved_total: NonNegativeInt
    backordered_total: NonNegativeInt


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


class AddressChangeRecorded(_Answer):
    """Fulfillment took the order's new address for a shipment; `amended`: the carrier already
    had the shipment request and was sent an amendment."""

    shipment_id: UUID
    ship_to: ShipTo
    amended: bool


class AddressChangeRefusalRecorded(_Answer):
    """Fulfillment could not take the new address for a shipment: it goes (went) to `ship_to`."""

    shipment_id: UUID
    ship_to: ShipTo | None
    requested: ShipTo
    reason: str


class OrderFacts(Message):
    """The order as the order service has it (its status as `GET /v1/orders/{id}` shows)."""

    order_id: UUID
    status: str
    placed_at: AwareDatetime
    updated_at: AwareDatetime


class OrderFactsReported(DomainEvent):
    """The order service's answer to a `ReconciliationRequested`: its orders of the page."""

    run_id: UUID
    orders: tuple[OrderFacts, ...]
    page_end: UUID | None


PUBLISHED: Final = (
    OrderFactsReported,
    ItemDefined,
    CustomerDefined,
    CustomerClassified,
    ItemClassified,
    PolicyChanged,
    OrderPlaced,
    OrderReleased,
    OrderChanged,
    OrderDeadlineChanged,
    OrderCancelled,
    OrderRejected,
    OrderCompleted,
    OrderHeld,
    OrderHoldLifted,
    OrderShortPicked,
    ReturnRecorded,
    ReservationYielded,
    ReservationKept,
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

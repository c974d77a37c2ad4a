"""Events of the andon service; PUBLISHED lists those that leave it on `andon.events`."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Final
from uuid import UUID

from pydantic import NonNegativeFloat, NonNegativeInt, PositiveInt

from shared.messages import DomainEvent, Message


class TargetKind(StrEnum):
    SKU = "sku"
    ORDER = "order"
    CUSTOMER = "customer"
    STEP = "step"


class Category(StrEnum):
    QUALITY = "quality"
    STOCK = "stock"
    CREDIT = "credit"
    TRANSPORT = "transport"
    PROCESS = "process"
    OTHER = "other"


class AndonPulled(DomainEvent):
    pull_id: UUID
    target_kind: TargetKind
    target_id: str
    reason: str
    category: Category
    pulled_by: str
    automatic: bool
    departments: tuple[str, ...]
    pulled_at: datetime
    details: dict[str, Any] = {}


class TargetKnown(DomainEvent):
    """Order master data defined this SKU or customer: pulls on it are accepted."""

    target_kind: TargetKind
    target_id: str


class AndonResolved(DomainEvent):
    pull_id: UUID
    target_kind: TargetKind
    target_id: str
    root_cause: str
    fix: str
    resolved_by: str
    seconds_to_resolve: NonNegativeFloat


class ComplaintRecorded(DomainEvent):
    complaint_id: UUID
    order_id: UUID
    sku: str
    reason: str
    recorded_by: str
    recorded_at: datetime


class GapDetected(DomainEvent):
    order_id: UUID
    step: str
    expected_by: datetime
    detected_at: datetime
    pull_id: UUID | None = None


class GapClosed(DomainEvent):
    order_id: UUID
    step: str
    closed_at: datetime


class LostHandOff(Message):
    order_id: UUID
    step: str
    service: str
    expected_by: datetime
    gap_detected: bool


class ReconciliationCompleted(DomainEvent):
    run_id: UUID
    checked: NonNegativeInt
    lost_count: NonNegativeInt
    lost: tuple[LostHandOff, ...]
    completed_at: datetime


class ReconciliationRequested(DomainEvent):
    """Asks `services` for their facts about a page of orders: the first `limit` each knows
    with an id after `after` (UUID order), and those in `order_ids`. Each answers on its own
    topic (`OrderFactsReported`, `StockFactsReported`, `CreditFactsReported`,
    `FulfillmentFactsReported`)."""

    run_id: UUID
    services: tuple[str, ...]
    after: UUID | None
    limit: NonNegativeInt
    order_ids: tuple[UUID, ...] = ()
    requested_at: datetime


class Finding(Message):
    """One fact a service should have and has not: `step` names the hand-off that failed."""

    order_id: UUID
    step: str
    service: str
    problem: str


class ServicesReconciled(DomainEvent):
    """The services' facts about orders after `after` through `through` (null: to the last)
    compared: `checked` orders, and what one service knows that another never heard of."""

    run_id: UUID
    after: UUID | None
    through: UUID | None
    checked: NonNegativeInt
    findings: tuple[Finding, ...]
    completed_at: datetime


# Internal events: they never leave the service, but the read models and lookups are folded
# from them.


class CrossCheckStarted(DomainEvent):
    run_id: UUID
    after: UUID | None
    limit: NonNegativeInt
    settle_seconds: NonNegativeFloat
    started_at: datetime


class FactsNoted(DomainEvent):
    """One service's answer: its facts per order (as it reported them) and its page's end."""

    run_id: UUID
    service: str
    orders: tuple[dict[str, Any], ...]
    page_end: UUID | None
    at: datetime


class CrossCheckCursorMoved(DomainEvent):
    """Where the next cross-check starts (null: from the first order again)."""

    after: UUID | None


class AndonPulledAgain(DomainEvent):
    """Someone pulled on a target whose pull is still open: one more puller, not a second pull."""

    pull_id: UUID
    pulled_by: str
    reason: str
    automatic: bool
    pulled_at: datetime
    details: dict[str, Any] = {}


class OrderWatched(DomainEvent):
    order_id: UUID
    customer_id: str
    lines: dict[str, PositiveInt]
    deadline: datetime | None
    backorder_rule: str
    at: datetime
    # None in events recorded before the watch knew totals.
    total_cents: NonNegativeInt | None = None


class OrderLinesChanged(DomainEvent):
    order_id: UUID
    lines: dict[str, PositiveInt]
    increased: tuple[str, ...]
    at: datetime
    total_cents: NonNegativeInt | None = None


class TermsObserved(DomainEvent):
    """A change gave the order a new release deadline or backorder rule."""

    order_id: UUID
    deadline: datetime | None
    backorder_rule: str
    at: datetime


class StockObserved(DomainEvent):
    order_id: UUID
    sku: str
    reserved: NonNegativeInt
    backordered: bool
    at: datetime


class CreditObserved(DomainEvent):
    order_id: UUID
    answer: str
    at: datetime


class ReleaseObserved(DomainEvent):
    order_id: UUID
    release_no: PositiveInt
    at: datetime


class ShipmentObserved(DomainEvent):
    order_id: UUID
    release_no: PositiveInt
    at: datetime
    # None in events recorded before the watch followed invoices and deliveries.
    shipment_id: UUID | None = None


class InvoiceObserved(DomainEvent):
    order_id: UUID
    invoice_id: UUID
    shipment_id: UUID
    at: datetime


class PaymentObserved(DomainEvent):
    """The invoice is paid in full."""

    order_id: UUID
    invoice_id: UUID
    at: datetime


class DeliveryObserved(DomainEvent):
    order_id: UUID
    shipment_id: UUID
    at: datetime


class OrderEnded(DomainEvent):
    order_id: UUID
    outcome: str
    at: datetime


class HoldObserved(DomainEvent):
    order_id: UUID
    hold: str
    open: bool
    at: datetime
    # The hold's own deadline when its event carries one (a pattern check's `confirm_by`).
    due: datetime | None = None


class HandOffAwaited(DomainEvent):
    """The watchdog's clock for `step` runs from `since`; `due_floor` is the release deadline."""

    order_id: UUID
    step: str
    since: datetime
    due_floor: datetime | None = None


class HandOffPaused(DomainEvent):
    order_id: UUID
    step: str
    at: datetime


class HandOffSettled(DomainEvent):
    order_id: UUID
    step: str
    at: datetime


class DeadlinesSet(DomainEvent):
    """The deadlines of waiting states, as the order service's policy last set them."""

    credit_review_minutes: float
    backorder_minutes: float
    andon_hold_minutes: float
    invoice_minutes: float
    delivery_minutes: float
    payment_term_days: float


class DefectCounted(DomainEvent):
    sku: str
    order_id: UUID
    source: str
    reason: str
    at: datetime


class DefectThresholdReached(DomainEvent):
    sku: str
    count: PositiveInt
    window_minutes: PositiveInt
    at: datetime


class DefectRuleSet(DomainEvent):
    count: PositiveInt
    window_minutes: PositiveInt


PUBLISHED: Final = (
    AndonPulled,
    AndonResolved,
    ComplaintRecorded,
    GapDetected,
    GapClosed,
    ReconciliationCompleted,
    ReconciliationRequested,
    ServicesReconciled,
)


# The improvement loop behind the andon (internal events, folded into `improvement_item`).


class ImprovementOpened(DomainEvent):
    """A resolved pull becomes an improvement item: its owner, cause, countermeasure, audit."""

    item_id: UUID
    pull_id: UUID
    category: Category
    target_kind: TargetKind
    target_id: str
    pulled_at: datetime
    cause_code: str
    root_cause: str
    countermeasure: str
    owner: str
    fixed_at: datetime
    audit_at: datetime
    orders_affected: NonNegativeInt


class ImprovementAudited(DomainEvent):
    """At the audit date: `effective`, or `reopened` to the owner with the recurring pulls."""

    item_id: UUID
    outcome: str
    evidence: tuple[UUID, ...]
    audited_at: datetime


class ImprovementRevised(DomainEvent):
    """The owner of a reopened item puts in a new countermeasure, audited again later."""

    item_id: UUID
    countermeasure: str
    fixed_at: datetime
    audit_at: datetime

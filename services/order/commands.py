"""Commands the order service accepts."""

from datetime import datetime
from uuid import UUID

from pydantic import NonNegativeInt, PositiveInt

from services.order.events import (
    CreditLight,
    DefectPolicy,
    PatternCheckPolicy,
    SegmentTable,
    ShipTo,
    Tier,
    WatchDeadlines,
)
from shared.messages import Command, Message


class RequestedLine(Message):
    sku: str
    quantity: PositiveInt


class PlaceOrder(Command):
    order_id: UUID
    channel: str
    idempotency_key: str
    request_hash: str
    customer_id: str
    external_id: str | None
    lines: tuple[RequestedLine, ...]
    ship_to: ShipTo
    received_at: datetime


class ChangeOrder(Command):
    order_id: UUID
    channel: str | None  # None: staff, who may change any order
    lines: tuple[RequestedLine, ...] | None = None
    ship_to: ShipTo | None = None


class CancelOrder(Command):
    order_id: UUID
    channel: str | None
    reason: str


class ConfirmOrder(Command):
    order_id: UUID
    channel: str | None


class DefineItem(Command):
    sku: str
    name: str
    unit_price_cents: NonNegativeInt
    reorder_point: NonNegativeInt = 0


class DefineCustomer(Command):
    customer_id: str
    name: str
    credit_light: CreditLight
    credit_limit_cents: NonNegativeInt
    review_threshold_cents: NonNegativeInt
    tier: Tier


class ChangePolicy(Command):
    segments: SegmentTable
    pattern_check: PatternCheckPolicy
    defects: DefectPolicy | None = None
    deadlines: WatchDeadlines | None = None


class RecordReturn(Command):
    order_id: UUID
    channel: str | None
    lines: tuple[RequestedLine, ...]
    reason: str


class ClassifyCustomersAndItems(Command):
    """A/B/C classes from the trailing year's revenue (daily, or on demand)."""


class ExpireConfirmations(Command):
    """Cancel the orders held for confirmation past their confirm-by time."""


class RegisterWebhook(Command):
    """Send the channel's status changes to `url` (a first registration makes its secret)."""

    channel: str
    url: str


class RemoveWebhook(Command):
    channel: str


class RotateWebhookSecret(Command):
    channel: str


class RedriveDeliveries(Command):
    """Parked deliveries of the channel back to the queue: one, or all of them."""

    channel: str
    delivery_id: UUID | None = None

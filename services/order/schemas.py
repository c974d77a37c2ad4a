"""HTTP request and response models of the order API."""

import hashlib
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.order.domain.webhooks import DeliveryState
from services.order.events import DefectPolicy, PatternCheckPolicy, SegmentTable, WatchDeadlines
from shared.limits import MAX_CENTS, MAX_MINUTES, Cents, Identifier, Whole, printable

MAX_DAYS = MAX_MINUTES // (24 * 60)

MAX_LINES = 200
MAX_QUANTITY = 100_000
# Priorities are stored in 32 bits: weight x tier factor must fit.
MAX_PRIORITY_WEIGHT = 10_000
# Units, like stock itself (a receipt is at most 10 million).
MAX_PROTECTION_LEVEL = 10_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderLineCreate(_Strict):
    sku: Identifier
    quantity: Annotated[int, Whole, Field(gt=0, le=MAX_QUANTITY, strict=True)]


def _one_line_per_sku(lines: list[OrderLineCreate]) -> list[OrderLineCreate]:
    first_line: dict[str, int] = {}
    for index, line in enumerate(lines):
        if line.sku in first_line:
            raise ValueError(
                f"SKU {line.sku!r} is on lines {first_line[line.sku]} and {index}:"
                " put its whole quantity on one line"
            )
        first_line[line.sku] = index
    return lines


class ShipToIn(_Strict):
    name: Annotated[str, printable(200)]
    line1: Annotated[str, printable(200)]
    city: Annotated[str, printable(100)]
    postal_code: Annotated[str, printable(20)]
    country: Annotated[str, printable(60, min_length=2)]


class OrderCreate(_Strict):
    external_id: Annotated[str, printable(200)] | None = None
    customer_id: Identifier
    lines: list[OrderLineCreate] = Field(min_length=1, max_length=MAX_LINES)
    ship_to: ShipToIn

    @field_validator("lines")
    @classmethod
    def one_line_per_sku(cls, lines: list[OrderLineCreate]) -> list[OrderLineCreate]:
        return _one_line_per_sku(lines)

    def fingerprint(self) -> str:
        """Same body, same fingerprint: decides whether a reused Idempotency-Key is a retry."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


class OrderPatch(_Strict):
    lines: list[OrderLineCreate] | None = Field(default=None, min_length=1, max_length=MAX_LINES)
    ship_to: ShipToIn | None = None

    @field_validator("lines")
    @classmethod
    def one_line_per_sku(cls, lines: list[OrderLineCreate] | None) -> list[OrderLineCreate] | None:
        return None if lines is None else _one_line_per_sku(lines)


class OrderCancel(_Strict):
    reason: Annotated[str, printable(500)] = "cancelled by the customer"


class OrderAccepted(BaseModel):
    order_id: UUID
    status: str
    status_url: str


class OrderLinePublic(BaseModel):
    sku: str
    quantity: int = Field(description="Units ordered, less those a short pick cancelled")
    reserved: int
    shipped: int
    cancelled: int = Field(
        default=0, description="Units cancelled because a shipment came up short (wait_complete)"
    )
    returned: int = Field(default=0, description="Units returned (authorised returns)")


class TimelineEntry(BaseModel):
    at: str
    service: str
    event: str
    detail: dict[str, Any]


class OrderPublic(BaseModel):
    order_id: UUID
    status: str
    holds: list[str]
    customer_id: str
    external_id: str | None
    total_cents: int
    segment: str
    priority: int
    deadline: str
    ship_to: dict[str, str] | None
    lines: list[OrderLinePublic]
    timeline: list[TimelineEntry]


class OrderDetails(OrderPublic):
    """An order as GET /v1/orders/{id} answers it, with the channel that placed it (a channel
    may read only its own)."""

    channel: str


class OrderSummary(BaseModel):
    order_id: UUID
    status: str
    holds: list[str]
    customer_id: str
    external_id: str | None = None
    total_cents: int
    segment: str
    priority: int
    placed_at: str
    updated_at: str


class ItemPut(_Strict):
    name: Annotated[str, printable(200)]
    unit_price_cents: Cents
    reorder_point: Annotated[int, Whole, Field(ge=0, le=10**9, strict=True)] = 0


class CustomerPut(_Strict):
    name: Annotated[str, printable(200)]
    credit_light: Literal["green", "yellow", "red"]
    credit_limit_cents: Cents
    review_threshold_cents: Cents
    tier: Literal["strategic", "vip", "regular"] = "regular"


class CustomerPublic(BaseModel):
    customer_id: str
    name: str
    credit_light: str
    credit_limit_cents: int
    review_threshold_cents: int
    tier: str
    customer_class: str
    revenue_cents: int
    exposure_cents: int


class PolicyPut(_Strict):
    segments: SegmentTable
    pattern_check: PatternCheckPolicy
    defects: DefectPolicy | None = None
    deadlines: WatchDeadlines | None = Field(
        default=None, description="omitted: the deadlines in force stay"
    )

    @model_validator(mode="after")
    def within_bounds(self) -> "PolicyPut":
        """The event models bound signs only; deadlines and priorities must stay computable."""
        check = self.pattern_check
        bounds = [
            *(
                (f"segments.{name}.{field}", getattr(rules, field), limit)
                for name, rules in self.segments
                for field, limit in (
                    ("target_response_minutes", MAX_MINUTES),
                    ("priority_weight", MAX_PRIORITY_WEIGHT),
                    ("protection_level", MAX_PROTECTION_LEVEL),
                )
            ),
            (
                "pattern_check.first_order_threshold_cents",
                check.first_order_threshold_cents,
                MAX_CENTS,
            ),
            (
                "pattern_check.confirmation_timeout_minutes",
                check.confirmation_timeout_minutes,
                MAX_MINUTES,
            ),
            ("pattern_check.min_history_orders", check.min_history_orders, 10_000),
            ("pattern_check.order_value_multiplier", check.order_value_multiplier, 10**6),
            ("pattern_check.line_quantity_multiplier", check.line_quantity_multiplier, 10**6),
        ]
        if self.deadlines is not None:
            bounds += [
                (f"deadlines.{field}", value, MAX_DAYS if field.endswith("_days") else MAX_MINUTES)
                for field, value in self.deadlines
            ]
        if self.defects is not None:
            bounds += [
                ("defects.count", self.defects.count, 10_000),
                ("defects.window_minutes", self.defects.window_minutes, MAX_MINUTES),
            ]
        too_big = [
            f"{field} must be at most {limit}" for field, value, limit in bounds if value > limit
        ]
        if too_big:
            raise ValueError("; ".join(too_big))
        return self


class PolicyPublic(BaseModel):
    version: int
    segments: SegmentTable
    pattern_check: PatternCheckPolicy
    defects: DefectPolicy | None = None
    deadlines: WatchDeadlines


class ReturnCreate(_Strict):
    lines: list[OrderLineCreate] = Field(min_length=1, max_length=MAX_LINES)
    reason: Annotated[str, printable(500)]

    @field_validator("lines")
    @classmethod
    def one_line_per_sku(cls, lines: list[OrderLineCreate]) -> list[OrderLineCreate]:
        return _one_line_per_sku(lines)


class ReturnLinePublic(BaseModel):
    sku: str
    quantity: int


class ReturnPublic(BaseModel):
    order_id: UUID
    return_no: int
    return_id: UUID = Field(
        description="The return authorisation (RMA): the warehouse receives the goods under it"
    )
    lines: list[ReturnLinePublic]
    reason: str
    status_url: str = Field(
        description="The order, whose timeline shows the goods received and the credit notes"
    )


# KPIs (GET /v1/kpis): services/order/domain/kpis.py says how each figure is defined.


class HoldFigures(BaseModel):
    count: int
    mean_seconds: float | None


class KpiTargets(BaseModel):
    target_fill_rate: float
    fill_rate_met: bool | None = Field(description="unit fill rate >= target; null: no figure")
    target_response_minutes: int
    response_time_met: bool | None = Field(
        description="mean processing time (accepted -> released) within the target"
    )


class KpiFigures(BaseModel):
    orders: int
    released: int
    shipped: int = Field(description="orders shipped complete")
    completed: int
    delivered: int = Field(description="orders shipped complete and delivered")
    entry_time_seconds: float | None = Field(description="mean received -> accepted")
    processing_time_seconds: float | None = Field(description="mean accepted -> first release")
    pick_request_time_seconds: float | None = Field(
        description="mean accepted -> the warehouse asked to pick (PickRequested)"
    )
    cycle_time_seconds: float | None = Field(description="mean received -> shipped complete")
    delivered_cycle_time_seconds: float | None = Field(
        description="mean received -> delivered (every shipment of the order)"
    )
    released_on_time_rate: float | None
    shipped_on_time_rate: float | None
    unit_fill_rate: float | None
    line_fill_rate: float | None
    order_fill_rate: float | None
    first_time_fill_rate: float | None
    invoice_accuracy: float | None
    order_accuracy: float | None
    perfect_order_rate: float | None
    cancellation_rate: float | None
    rejection_rate: float | None
    backorder_rate: float | None
    stockout_rate: float | None = Field(description="lines that found nothing available")
    exception_rate: float | None = Field(description="orders that were ever held")
    return_rate: float | None
    holds: dict[str, HoldFigures]
    targets: KpiTargets | None = Field(description="the segment's policy; null for other groups")


class HourFigures(BaseModel):
    hour: str
    received: int = 0
    released: int = 0
    shipped: int = 0
    completed: int = 0
    cycle_time_seconds: float | None = None
    processing_time_seconds: float | None = None


class KpiReport(BaseModel):
    window_from: str = Field(description="start of the first hour counted (inclusive)")
    window_to: str = Field(description="end of the last hour counted (exclusive)")
    received_at_source: str = Field(
        description="what order entry time starts from: `gapless` (the time POST /v1/orders"
        " arrived; channels do not send a submission time of their own)"
    )
    overall: KpiFigures
    segments: dict[str, KpiFigures]
    channels: dict[str, KpiFigures]
    customer_classes: dict[str, KpiFigures]
    throughput_per_hour: dict[str, float]
    statuses: dict[str, int] = Field(description="orders by status now (not windowed)")
    hours: list[HourFigures]


class WebhookPublic(BaseModel):
    channel: str
    url: str
    created_at: datetime
    updated_at: datetime
    pending: int = Field(description="Deliveries waiting to be sent (or sent again)")
    parked: int = Field(description="Deliveries that failed every attempt: redrive them")


class DeliveryPublic(BaseModel):
    delivery_id: UUID = Field(description="Also the request's `webhook-id` and CloudEvent `id`")
    order_id: UUID
    sequence: int = Field(description="The order's version after the change (`aggregateversion`)")
    status: str = Field(description="The order's status it tells")
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime = Field(description="While pending: when it is tried (again)")
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None

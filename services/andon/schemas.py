"""HTTP models of the andon API."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.andon.events import Category, TargetKind
from shared.limits import printable

Text = Annotated[str, printable(2000)]
Name = Annotated[str, printable(200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Target(_Strict):
    kind: TargetKind
    id: Name


class AndonPullCreate(_Strict):
    target: Target
    reason: Text
    category: Category
    pulled_by: Name


class AndonPullAccepted(BaseModel):
    pull_id: UUID
    new: bool


class AndonResolve(_Strict):
    root_cause: Text
    fix: Annotated[str, printable(2000, min_length=0)] = Field(
        default="", description="the countermeasure"
    )
    cause_code: Annotated[str, printable(60)] = Field(
        default="unclassified", description="one of GET /v1/improvements/causes for its category"
    )
    owner: Name | None = Field(default=None, description="owns the improvement; default: you")
    audit_at: AwareDatetime | None = Field(
        default=None, description="when to check for recurrence; default: 14 days from now"
    )


class Ticket(BaseModel):
    departments: list[str]
    status: str
    root_cause: str | None
    fix: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    seconds_to_resolve: float | None


class Puller(BaseModel):
    pulled_by: str
    reason: str
    automatic: bool
    pulled_at: str


class AndonPullPublic(BaseModel):
    pull_id: UUID
    target_kind: str
    target_id: str
    reason: str
    category: str
    pulled_by: str
    automatic: bool
    open: bool
    departments: list[str]
    ticket: Ticket
    pull_count: int
    pullers: list[Puller]
    affected_orders: list[UUID]
    details: dict[str, Any]
    pulled_at: datetime
    age_seconds: float


class AndonStatsLine(BaseModel):
    pull_count: int
    open_count: int
    mean_seconds_to_resolve: float | None


class AndonStats(AndonStatsLine):
    categories: dict[str, AndonStatsLine]
    open_gaps: int = Field(description="orders whose awaited hand-off is overdue now")
    gaps_detected: int = Field(description="gaps ever detected")
    orders_watched: int = Field(description="orders the watchdog has followed")
    gaps_per_1000_orders: float | None


class ComplaintCreate(_Strict):
    order_id: UUID
    sku: Name
    reason: Text


class ComplaintAccepted(BaseModel):
    complaint_id: UUID


class ComplaintPublic(BaseModel):
    complaint_id: UUID
    order_id: UUID
    sku: str
    reason: str
    recorded_by: str = Field(description="the name of the key that recorded it")
    recorded_at: datetime


class GapPublic(BaseModel):
    order_id: UUID
    step: str
    expected_by: datetime
    detected_at: datetime
    overdue_seconds: float = Field(description="open: overdue by now; closed: until it closed")
    pull_id: UUID | None
    open: bool = True
    closed_at: datetime | None = None


class LostHandOffPublic(BaseModel):
    order_id: UUID
    step: str
    service: str
    expected_by: datetime
    gap_detected: bool


class ReconciliationReport(BaseModel):
    run_id: UUID = Field(description="also names the run's cross-service check")
    checked: int = Field(ge=0)
    lost: list[LostHandOffPublic]


class FindingPublic(BaseModel):
    order_id: UUID
    step: str = Field(description="the hand-off that failed, e.g. stock_check")
    service: str = Field(description="the service that lacks the fact")
    problem: str


class CrossCheckPublic(BaseModel):
    run_id: UUID
    status: str = Field(description="awaiting (answers outstanding) or complete")
    awaiting: list[str] = Field(description="services that have not answered yet")
    after: UUID | None = Field(description="the page starts after this order id")
    through: UUID | None = Field(description="the last order id compared; null: to the last")
    checked: int | None
    findings: list[FindingPublic]
    requested_at: datetime
    completed_at: datetime | None


class ImprovementPublic(BaseModel):
    item_id: UUID
    category: str
    target_kind: str
    target_id: str
    pulled_at: datetime
    cause_code: str
    root_cause: str
    countermeasure: str
    owner: str
    status: str = Field(description="awaiting_audit, effective or reopened")
    fixed_at: datetime
    audit_at: datetime
    orders_affected: int
    audits: int
    audited_at: datetime | None
    evidence: list[UUID] = Field(description="reopened: the fixed pull, then the recurrences")


class CauseCount(BaseModel):
    category: str
    cause_code: str
    items: int
    orders_affected: int


class Offender(BaseModel):
    target_kind: str
    target_id: str
    pulls: int
    orders_affected: int


class ImprovementReport(BaseModel):
    items: list[ImprovementPublic]
    pareto_by_count: list[CauseCount]
    pareto_by_orders: list[CauseCount]
    open_by_owner: dict[str, int]
    repeat_offenders: list[Offender] = Field(description="SKUs, steps, customers pulled again")
    audits: int
    recurrence_rate: float | None = Field(description="audits that found a recurrence / audits")


class CountermeasureRevise(_Strict):
    countermeasure: Text
    audit_at: AwareDatetime | None = None

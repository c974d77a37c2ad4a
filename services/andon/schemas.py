"""HTTP models of the andon API."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

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
    fix: Annotated[str, printable(2000, min_length=0)] = ""


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


class ComplaintCreate(_Strict):
    order_id: UUID
    sku: Name
    reason: Text


class ComplaintAccepted(BaseModel):
    complaint_id: UUID


class GapPublic(BaseModel):
    order_id: UUID
    step: str
    expected_by: datetime
    detected_at: datetime
    overdue_seconds: float
    pull_id: UUID | None


class LostHandOffPublic(BaseModel):
    order_id: UUID
    step: str
    service: str
    expected_by: datetime
    gap_detected: bool


class ReconciliationReport(BaseModel):
    run_id: UUID
    checked: int = Field(ge=0)
    lost: list[LostHandOffPublic]

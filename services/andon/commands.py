"""Commands of the andon service."""

from datetime import datetime
from uuid import UUID, uuid4

from pydantic import Field

from services.andon.domain import Timeouts
from services.andon.events import Category, TargetKind
from shared.facts import MAX_FACTS_PAGE
from shared.messages import Command


class PullAndon(Command):
    target_kind: TargetKind
    target_id: str
    reason: str
    category: Category
    pulled_by: str


class ResolveAndon(Command):
    pull_id: UUID
    root_cause: str
    fix: str
    resolved_by: str
    # The improvement item the resolved pull becomes (defaults: unclassified, the resolver,
    # audited 14 days after the fix).
    cause_code: str = "unclassified"
    owner: str | None = None
    audit_at: datetime | None = None


class ReviseImprovement(Command):
    item_id: UUID
    countermeasure: str
    audit_at: datetime | None = None


class AuditImprovements(Command):
    """The audit round: every item whose audit date has come is checked for recurrence."""


class RecordComplaint(Command):
    complaint_id: UUID
    order_id: UUID
    sku: str = Field(min_length=1)
    reason: str
    recorded_by: str


class DetectGaps(Command):
    """The watchdog's round: report every overdue hand-off as a gap with an automatic andon."""

    timeouts: Timeouts


class Reconcile(Command):
    """Prove every watched order is in an active step or terminal; name the lost hand-offs."""

    run_id: UUID = Field(default_factory=uuid4)
    timeouts: Timeouts
    # Orders each service answers for in the cross-service part of the run.
    page_size: int = Field(default=200, ge=1, le=MAX_FACTS_PAGE)

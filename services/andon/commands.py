"""Commands of the andon service."""

from uuid import UUID, uuid4

from pydantic import Field

from services.andon.domain import Timeouts
from services.andon.events import Category, TargetKind
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

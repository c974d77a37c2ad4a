"""The improvement loop behind the andon: a fixed cause is audited for recurrence, then owned.

Know the process, find the root cause, remove the waste, build a mechanism, audit it, own it: a
resolved pull becomes an item with an owner, a root cause (a code from its category's list, plus
text), the countermeasure and an audit date. At the audit, a pull since the fix on the same
target and category, or one resolved with the same cause code, is a recurrence: the item is
reopened to its owner with the pulls as evidence; otherwise the countermeasure is effective.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID

from services.andon.events import (
    Category,
    ImprovementAudited,
    ImprovementOpened,
    ImprovementRevised,
    TargetKind,
)
from shared.aggregate import Aggregate, event_map
from shared.errors import DomainError, InvalidRequestError
from shared.messages import DomainEvent

UNCLASSIFIED = "unclassified"
DEFAULT_AUDIT_AFTER = timedelta(days=14)
# Root causes an ops team chooses from, per category (plus free text beside the code).
ROOT_CAUSES: Final[dict[Category, tuple[str, ...]]] = {
    Category.QUALITY: ("supplier-defect", "packaging", "handling-damage", "wrong-specification"),
    Category.STOCK: ("forecast-miss", "receiving-delay", "record-error", "supplier-late"),
    Category.CREDIT: ("limit-too-low", "customer-data-missing", "payment-overdue"),
    Category.TRANSPORT: ("carrier-delay", "address-error", "capacity"),
    Category.PROCESS: ("system-fault", "missing-step", "training", "integration-error"),
    Category.OTHER: ("other",),
}


class UnknownCauseError(InvalidRequestError):
    def __init__(self, category: Category, cause_code: str) -> None:
        allowed = ", ".join((*ROOT_CAUSES[category], UNCLASSIFIED))
        super().__init__(
            f"{cause_code!r} is not a {category} root cause",
            errors=[{"field": "cause_code", "message": f"one of: {allowed}"}],
        )


class ImprovementNotReopenedError(DomainError):
    def __init__(self, item_id: str) -> None:
        super().__init__(f"improvement {item_id} is not reopened: it needs no new countermeasure")


def check_cause(category: Category, cause_code: str) -> None:
    if cause_code != UNCLASSIFIED and cause_code not in ROOT_CAUSES[category]:
        raise UnknownCauseError(category, cause_code)


@dataclass(frozen=True)
class Fix:
    """What ops say when they resolve a pull, besides the free-text root cause."""

    cause_code: str
    root_cause: str
    countermeasure: str
    owner: str
    audit_at: datetime


@dataclass(frozen=True)
class ResolvedPull:
    pull_id: UUID
    category: Category
    target_kind: TargetKind
    target_id: str
    pulled_at: datetime
    orders_affected: int


class Improvement(Aggregate):
    """One item per resolved pull (its id is the pull's)."""

    stream_type = "improvement"
    event_classes = event_map(ImprovementOpened, ImprovementAudited, ImprovementRevised)

    def __init__(self, item_id: str) -> None:
        super().__init__(item_id)
        self.status = "new"
        self.audit_at: datetime | None = None

    @classmethod
    def open(cls, pull: ResolvedPull, fix: Fix, now: datetime) -> "Improvement":
        check_cause(pull.category, fix.cause_code)
        item = cls(str(pull.pull_id))
        item._record(
            ImprovementOpened(
                item_id=pull.pull_id,
                pull_id=pull.pull_id,
                category=pull.category,
                target_kind=pull.target_kind,
                target_id=pull.target_id,
                pulled_at=pull.pulled_at,
                cause_code=fix.cause_code,
                root_cause=fix.root_cause,
                countermeasure=fix.countermeasure,
                owner=fix.owner,
                fixed_at=now,
                audit_at=max(fix.audit_at, now),
                orders_affected=pull.orders_affected,
            )
        )
        return item

    def audit(self, recurrences: list[UUID], now: datetime) -> bool:
        """Judge the countermeasure if its audit is due; False when there was nothing to do."""
        if self.status != "awaiting_audit" or self.audit_at is None or now < self.audit_at:
            return False  # a second run of the audit job, or not yet due
        self._record(
            ImprovementAudited(
                item_id=UUID(self.id),
                outcome="reopened" if recurrences else "effective",
                evidence=(UUID(self.id), *recurrences) if recurrences else (),
                audited_at=now,
            )
        )
        return True

    def revise(self, countermeasure: str, audit_at: datetime, now: datetime) -> None:
        if self.status != "reopened":
            raise ImprovementNotReopenedError(self.id)
        self._record(
            ImprovementRevised(
                item_id=UUID(self.id),
                countermeasure=countermeasure,
                fixed_at=now,
                audit_at=max(audit_at, now),
            )
        )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case ImprovementOpened() | ImprovementRevised():
                self.status, self.audit_at = "awaiting_audit", event.audit_at
            case ImprovementAudited():
                self.status = event.outcome

"""Andon target aggregate: one stream per target, so a target has at most one open pull."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.andon.domain.routing import departments_for
from services.andon.events import (
    AndonPulled,
    AndonPulledAgain,
    AndonResolved,
    Category,
    TargetKind,
    TargetKnown,
)
from shared.aggregate import Aggregate, event_map
from shared.errors import DomainError, InvalidRequestError, NotFoundError
from shared.messages import DomainEvent


class PullAlreadyResolvedError(DomainError):
    def __init__(self, pull_id: str) -> None:
        super().__init__(f"andon pull {pull_id} is already resolved")


class PullNotFoundError(NotFoundError):
    def __init__(self, pull_id: str) -> None:
        super().__init__(f"andon pull {pull_id} not found")


class UnknownTargetError(NotFoundError):
    def __init__(self, kind: str, target_id: str) -> None:
        super().__init__(
            f"{kind} {target_id!r} is unknown to the andon service: not defined, or not seen yet"
        )


class RootCauseMissingError(InvalidRequestError):
    def __init__(self) -> None:
        super().__init__(
            "resolving an andon needs a root cause",
            errors=[{"field": "root_cause", "message": "a root cause is required"}],
        )


@dataclass(frozen=True)
class Pull:
    """What someone asks for when pulling the cord."""

    reason: str
    category: Category
    pulled_by: str
    automatic: bool = False
    details: dict[str, Any] | None = None
    # Who owns the ticket when not the category's departments (a gap's: the overdue step's).
    departments: tuple[str, ...] | None = None


@dataclass
class _PullState:
    pulled_at: datetime
    open: bool = True


def target_id_of(kind: TargetKind, target_id: str) -> str:
    return f"{kind}:{target_id}"


class AndonTarget(Aggregate):
    stream_type = "andon-target"
    event_classes = event_map(AndonPulled, AndonPulledAgain, AndonResolved, TargetKnown)

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        kind, _, target_id = aggregate_id.partition(":")
        self.kind = TargetKind(kind)
        self.target_id = target_id
        self.open_pull: UUID | None = None
        self.pulls: dict[UUID, _PullState] = {}
        # Defined by order master data, or pulled before (history older than TargetKnown).
        self.known = False

    def know(self) -> None:
        if not self.known:
            self._record(TargetKnown(target_kind=self.kind, target_id=self.target_id))

    def pull(self, pull: Pull, *, new_pull_id: UUID, now: datetime) -> tuple[UUID, bool]:
        """Open a pull, or add a puller to the open one. Returns (pull id, whether it is new)."""
        if self.open_pull is not None:
            self._record(
                AndonPulledAgain(
                    pull_id=self.open_pull,
                    pulled_by=pull.pulled_by,
                    reason=pull.reason,
                    automatic=pull.automatic,
                    pulled_at=now,
                    details=pull.details or {},
                )
            )
            return self.open_pull, False
        self._record(
            AndonPulled(
                pull_id=new_pull_id,
                target_kind=self.kind,
                target_id=self.target_id,
                reason=pull.reason,
                category=pull.category,
                pulled_by=pull.pulled_by,
                automatic=pull.automatic,
                departments=departments_for(pull.category, self.kind, pull.departments),
                pulled_at=now,
                details=pull.details or {},
            )
        )
        return new_pull_id, True

    def resolve(
        self, pull_id: UUID, *, root_cause: str, fix: str, resolved_by: str, now: datetime
    ) -> None:
        if not root_cause.strip():
            raise RootCauseMissingError()
        state = self.pulls.get(pull_id)
        if state is None:
            raise PullNotFoundError(str(pull_id))
        if not state.open:
            raise PullAlreadyResolvedError(str(pull_id))
        self._record(
            AndonResolved(
                pull_id=pull_id,
                target_kind=self.kind,
                target_id=self.target_id,
                root_cause=root_cause.strip(),
                fix=fix.strip(),
                resolved_by=resolved_by,
                seconds_to_resolve=max(0.0, (now - state.pulled_at).total_seconds()),
            )
        )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case TargetKnown():
                self.known = True
            case AndonPulled():
                self.known = True
                self.open_pull = event.pull_id
                self.pulls[event.pull_id] = _PullState(event.pulled_at)
            case AndonPulledAgain():
                pass
            case AndonResolved():
                self.pulls[event.pull_id].open = False
                if self.open_pull == event.pull_id:
                    self.open_pull = None

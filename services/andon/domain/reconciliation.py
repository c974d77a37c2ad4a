"""Reconciliation: every accepted order is in an active step or terminal, or it is lost."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.andon.domain.steps import OWNER, Step, Timeouts, expected_by
from services.andon.events import LostHandOff, ReconciliationCompleted
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


@dataclass(frozen=True)
class RunningClock:
    """An awaited hand-off whose clock runs (no hold pauses it), as the lookups have it."""

    order_id: UUID
    step: Step
    since: datetime
    due_floor: datetime | None
    gap_open: bool


def find_lost(
    clocks: Iterable[RunningClock], *, now: datetime, timeouts: Timeouts
) -> list[LostHandOff]:
    """Hand-offs a service owed and has not delivered in time, with no hold to explain them.

    An open gap does not make a hand-off less lost: it is reported, marked `gap_detected`.
    """
    lost = []
    for clock in clocks:
        due = expected_by(
            clock.step, since=clock.since, due_floor=clock.due_floor, timeouts=timeouts
        )
        if now >= due:
            lost.append(
                LostHandOff(
                    order_id=clock.order_id,
                    step=clock.step,
                    service=OWNER[clock.step],
                    expected_by=due,
                    gap_detected=clock.gap_open,
                )
            )
    return sorted(lost, key=lambda hand_off: (hand_off.expected_by, str(hand_off.order_id)))


class ReconciliationRun(Aggregate):
    stream_type = "reconciliation-run"
    event_classes = event_map(ReconciliationCompleted)

    def __init__(self, run_id: str) -> None:
        super().__init__(run_id)
        self.completed = False

    def complete(self, *, checked: int, lost: list[LostHandOff], now: datetime) -> None:
        if self.completed:
            return
        self._record(
            ReconciliationCompleted(
                run_id=UUID(self.id),
                checked=checked,
                lost_count=len(lost),
                lost=tuple(lost),
                completed_at=now,
            )
        )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case ReconciliationCompleted():
                self.completed = True

"""Repeated defects: N returns or complaints for one SKU within a window stop that SKU."""

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from services.andon.events import (
    ComplaintRecorded,
    DefectCounted,
    DefectRuleSet,
    DefectThresholdReached,
)
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


@dataclass(frozen=True)
class DefectRule:
    count: int = 3
    window_minutes: int = 24 * 60

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.window_minutes)


class DefectPolicy(Aggregate):
    """The rule in force, as the order service's policy last set it (one stream)."""

    stream_type = "defect-policy"
    event_classes = event_map(DefectRuleSet)
    ID = "current"

    def __init__(self, aggregate_id: str = ID) -> None:
        super().__init__(aggregate_id)
        self.rule = DefectRule()

    def adopt(self, rule: DefectRule) -> None:
        if rule != self.rule:
            self._record(DefectRuleSet(count=rule.count, window_minutes=rule.window_minutes))

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case DefectRuleSet():
                self.rule = DefectRule(event.count, event.window_minutes)


class DefectWatch(Aggregate):
    """Defects of one SKU since its last automatic pull; reaching the rule's count pulls again."""

    stream_type = "defect-watch"
    event_classes = event_map(ComplaintRecorded, DefectCounted, DefectThresholdReached)

    def __init__(self, sku: str) -> None:
        super().__init__(sku)
        self.recent: deque[datetime] = deque()

    def record_complaint(
        self, complaint_id: UUID, *, order_id: UUID, reason: str, recorded_by: str, now: datetime
    ) -> None:
        self._record(
            ComplaintRecorded(
                complaint_id=complaint_id,
                order_id=order_id,
                sku=self.id,
                reason=reason,
                recorded_by=recorded_by,
                recorded_at=now,
            )
        )

    def record_return(self, *, order_id: UUID, reason: str, at: datetime) -> None:
        self._record(
            DefectCounted(sku=self.id, order_id=order_id, source="return", reason=reason, at=at)
        )

    def check(self, rule: DefectRule, *, now: datetime) -> bool:
        """Whether the defects in the window reached the rule's count (then the count restarts)."""
        in_window = [at for at in self.recent if at > now - rule.window]
        if len(in_window) < rule.count:
            return False
        self._record(
            DefectThresholdReached(
                sku=self.id, count=len(in_window), window_minutes=rule.window_minutes, at=now
            )
        )
        return True

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case ComplaintRecorded():
                self.recent.append(event.recorded_at)
            case DefectCounted():
                self.recent.append(event.at)
            case DefectThresholdReached():
                self.recent.clear()

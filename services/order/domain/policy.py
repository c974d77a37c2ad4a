"""Service policy aggregate (versioned; changed only by `PolicyChanged`) and its default."""

from services.order.events import (
    DefectPolicy,
    PatternCheckPolicy,
    PolicyChanged,
    SegmentPolicy,
    SegmentTable,
    WatchDeadlines,
)
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent

POLICY_ID = "current"
_CUSTOMER = {"A": (3, 60, 0.98, "ship_partial"), "B": (2, 240, 0.95, "ship_partial")}
_CUSTOMER_C = (1, 1440, 0.90, "wait_complete")
_ITEM_BONUS = {"A": 2, "B": 1, "C": 0}


def _default_segment(customer_class: str, item_class: str) -> SegmentPolicy:
    weight, minutes, fill_rate, rule = _CUSTOMER.get(customer_class, _CUSTOMER_C)
    return SegmentPolicy(
        target_fill_rate=fill_rate,
        target_response_minutes=minutes,
        priority_weight=weight + _ITEM_BONUS[item_class],
        backorder_rule=rule,
    )


DEFAULT_SEGMENTS = SegmentTable(
    **{c + i: _default_segment(c, i) for c in "ABC" for i in "ABC"},
)
DEFAULT_POLICY = PolicyChanged(
    version=1, segments=DEFAULT_SEGMENTS, pattern_check=PatternCheckPolicy()
)


class ServicePolicy(Aggregate):
    """One stream; version 1 is the default policy, in effect before the first change."""

    stream_type = "service-policy"
    event_classes = event_map(PolicyChanged)

    def __init__(self, policy_id: str = POLICY_ID) -> None:
        super().__init__(policy_id)
        self.current = DEFAULT_POLICY

    def segment(self, segment: str) -> SegmentPolicy:
        policy: SegmentPolicy = getattr(self.current.segments, segment)
        return policy

    def change(
        self,
        segments: SegmentTable,
        pattern_check: PatternCheckPolicy,
        defects: DefectPolicy | None = None,
        deadlines: WatchDeadlines | None = None,
    ) -> None:
        """`deadlines` None keeps the ones in force."""
        current = self.current
        deadlines = deadlines or current.deadlines
        if (segments, pattern_check, defects, deadlines) == (
            current.segments,
            current.pattern_check,
            current.defects,
            current.deadlines,
        ):
            return  # the same table again is no change
        self._record(
            PolicyChanged(
                version=current.version + 1,
                segments=segments,
                pattern_check=pattern_check,
                defects=defects,
                deadlines=deadlines,
            )
        )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case PolicyChanged():
                self.current = event

"""Reconciliation's rule: a hand-off is lost when its running clock is past its due time."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from services.andon.domain import RunningClock, Step, Timeouts, find_lost

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TIMEOUTS = Timeouts(answer=timedelta(minutes=5))


def test_only_clocks_past_their_due_time_are_lost_and_each_names_its_service() -> None:
    stuck, fresh, late_release = uuid4(), uuid4(), uuid4()
    clocks = [
        RunningClock(stuck, Step.STOCK_CHECK, NOW - timedelta(minutes=6), None, False),
        RunningClock(fresh, Step.CREDIT_CHECK, NOW - timedelta(minutes=1), None, False),
        RunningClock(late_release, Step.RELEASE, NOW - timedelta(hours=1), NOW, True),
    ]

    lost = find_lost(clocks, now=NOW, timeouts=TIMEOUTS)

    assert [(h.order_id, h.step, h.service, h.gap_detected) for h in lost] == [
        (stuck, "stock_check", "inventory", False),
        (late_release, "release", "order", True),
    ]

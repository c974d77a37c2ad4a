"""Repeated defects: counting returns and complaints of one SKU within the policy's window."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from services.andon.domain import DefectPolicy, DefectRule, DefectWatch
from services.andon.events import DefectRuleSet, DefectThresholdReached

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
RULE = DefectRule(count=3, window_minutes=60)


def defects_at(watch: DefectWatch, minutes: list[int]) -> list[bool]:
    reached = []
    for minute in minutes:
        at = NOW + timedelta(minutes=minute)
        watch.record_return(order_id=uuid4(), reason="broken", at=at)
        reached.append(watch.check(RULE, now=at))
    return reached


def test_the_third_defect_within_the_window_reaches_the_threshold() -> None:
    assert defects_at(DefectWatch("LAVA-LAMP"), [0, 10, 20]) == [False, False, True]


def test_defects_older_than_the_window_do_not_count() -> None:
    assert defects_at(DefectWatch("LAVA-LAMP"), [0, 10, 75, 80]) == [False, False, False, False]


def test_complaints_and_returns_count_together() -> None:
    watch = DefectWatch("LAVA-LAMP")
    defects_at(watch, [0, 1])

    watch.record_complaint(uuid4(), order_id=uuid4(), reason="leaks", recorded_by="staff", now=NOW)

    assert watch.check(RULE, now=NOW + timedelta(minutes=2))
    assert isinstance(watch.collect_events()[-1], DefectThresholdReached)


def test_after_reaching_the_threshold_counting_starts_again() -> None:
    assert defects_at(DefectWatch("LAVA-LAMP"), [0, 1, 2, 3, 4, 5]) == [
        *(False, False, True),
        *(False, False, True),
    ]


def test_the_policy_adopts_a_new_rule_once() -> None:
    policy = DefectPolicy()

    policy.adopt(DefectRule(count=5, window_minutes=30))
    policy.adopt(DefectRule(count=5, window_minutes=30))

    assert policy.collect_events() == [DefectRuleSet(count=5, window_minutes=30)]
    assert policy.rule == DefectRule(5, 30)


def test_the_default_rule_is_three_within_a_day() -> None:
    assert DefectPolicy().rule == DefectRule(count=3, window_minutes=24 * 60)

"""Andon domain: targets and their pulls, order watches (the gap watchdog), defect counting."""

from services.andon.domain.cross_check import CrossCheck, CrossCheckCursor
from services.andon.domain.deadlines import DeadlinePolicy, Deadlines
from services.andon.domain.defects import DefectPolicy, DefectRule, DefectWatch
from services.andon.domain.order_facts import andon_hold
from services.andon.domain.reconciliation import ReconciliationRun, RunningClock, find_lost
from services.andon.domain.routing import departments_for
from services.andon.domain.steps import HAND_OFFS, OWNER, Status, Step, Timeouts, expected_by
from services.andon.domain.target import (
    AndonTarget,
    Pull,
    PullAlreadyResolvedError,
    PullNotFoundError,
    RootCauseMissingError,
    UnknownTargetError,
    target_id_of,
)
from services.andon.domain.watch import OrderWatch

__all__ = [
    "HAND_OFFS",
    "OWNER",
    "AndonTarget",
    "CrossCheck",
    "CrossCheckCursor",
    "DeadlinePolicy",
    "Deadlines",
    "DefectPolicy",
    "DefectRule",
    "DefectWatch",
    "OrderWatch",
    "Pull",
    "PullAlreadyResolvedError",
    "PullNotFoundError",
    "ReconciliationRun",
    "RootCauseMissingError",
    "RunningClock",
    "Status",
    "Step",
    "Timeouts",
    "UnknownTargetError",
    "andon_hold",
    "departments_for",
    "expected_by",
    "find_lost",
    "target_id_of",
]

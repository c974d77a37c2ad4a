"""The hand-offs the gap watchdog awaits for each order, who owes them and by when."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Step(StrEnum):
    CREDIT_CHECK = "credit_check"
    STOCK_CHECK = "stock_check"
    RELEASE = "release"
    SHIPMENT = "shipment"


# The service whose answer a step waits for: a lost order is blamed on it.
OWNER: dict[Step, str] = {
    Step.CREDIT_CHECK: "credit",
    Step.STOCK_CHECK: "inventory",
    Step.RELEASE: "order",
    Step.SHIPMENT: "fulfillment",
}


class Status(StrEnum):
    IDLE = "idle"  # not expected (yet): not placed, ended, or an earlier step is missing
    ACTIVE = "active"  # expected; its clock runs
    PAUSED = "paused"  # expected but a hold blocks it; its clock stands still
    DONE = "done"


@dataclass(frozen=True)
class Timeouts:
    """How long each service may take once its step is due (settings; tests scale them down)."""

    answer: timedelta = timedelta(minutes=5)
    release_grace: timedelta = timedelta(minutes=5)
    shipment: timedelta = timedelta(hours=1)


def expected_by(
    step: Step, *, since: datetime, due_floor: datetime | None, timeouts: Timeouts
) -> datetime:
    """When the step's hand-off is overdue.

    A release is due by the order's deadline (pushed back by the time holds paused it), but
    the order service always gets its grace after the release became possible: an order whose
    credit answer arrived after its deadline is late, not lost.
    """
    match step:
        case Step.CREDIT_CHECK | Step.STOCK_CHECK:
            return since + timeouts.answer
        case Step.RELEASE:
            grace = since + timeouts.release_grace
            return grace if due_floor is None else max(due_floor, grace)
        case Step.SHIPMENT:
            return since + timeouts.shipment

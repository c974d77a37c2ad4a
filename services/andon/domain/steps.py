"""The hand-offs and waiting states the gap watchdog follows for each order, who owes them and
by when."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Step(StrEnum):
    CREDIT_CHECK = "credit_check"
    STOCK_CHECK = "stock_check"
    RELEASE = "release"
    SHIPMENT = "shipment"
    INVOICE = "invoice"
    DELIVERY = "delivery"
    # Waiting states: a person or a department has the next move, by the policy's deadline.
    CREDIT_REVIEW = "credit_review"
    PATTERN_CHECK = "pattern_check"
    BACKORDER = "backorder"
    ANDON_HOLD = "andon_hold"
    PAYMENT = "payment"


# The service whose answer a step waits for: a lost order is blamed on it.
OWNER: dict[Step, str] = {
    Step.CREDIT_CHECK: "credit",
    Step.STOCK_CHECK: "inventory",
    Step.RELEASE: "order",
    Step.SHIPMENT: "fulfillment",
    Step.INVOICE: "fulfillment",
    Step.DELIVERY: "fulfillment",
    Step.CREDIT_REVIEW: "credit",
    Step.PATTERN_CHECK: "order",
    Step.BACKORDER: "inventory",
    Step.ANDON_HOLD: "andon",
    Step.PAYMENT: "fulfillment",
}
# Hand-offs between services: one overdue with no hold to explain it is lost (reconciliation).
# The waiting states are late work of people, reported as gaps but never as lost.
HAND_OFFS = (
    Step.CREDIT_CHECK,
    Step.STOCK_CHECK,
    Step.RELEASE,
    Step.SHIPMENT,
    Step.INVOICE,
    Step.DELIVERY,
)


class Status(StrEnum):
    IDLE = "idle"  # not expected (yet): not placed, ended, or an earlier step is missing
    ACTIVE = "active"  # expected; its clock runs
    PAUSED = "paused"  # expected but a hold blocks it; its clock stands still
    DONE = "done"


@dataclass(frozen=True)
class Timeouts:
    """How long each step may take once it is due: the hand-offs between services from the
    settings (tests scale them down), the waiting states from the service policy."""

    answer: timedelta = timedelta(minutes=5)
    release_grace: timedelta = timedelta(minutes=5)
    shipment: timedelta = timedelta(hours=1)
    invoice: timedelta = timedelta(hours=1)
    delivery: timedelta = timedelta(days=3)
    credit_review: timedelta = timedelta(hours=8)
    backorder: timedelta = timedelta(days=3)
    andon_hold: timedelta = timedelta(hours=4)
    payment: timedelta = timedelta(days=30)

    def after_start(self, step: Step) -> timedelta:
        """How long after its clock started the step is overdue."""
        match step:
            case Step.CREDIT_CHECK | Step.STOCK_CHECK:
                return self.answer
            case Step.RELEASE | Step.PATTERN_CHECK:
                return self.release_grace
            case Step.SHIPMENT:
                return self.shipment
            case Step.INVOICE:
                return self.invoice
            case Step.DELIVERY:
                return self.delivery
            case Step.CREDIT_REVIEW:
                return self.credit_review
            case Step.BACKORDER:
                return self.backorder
            case Step.ANDON_HOLD:
                return self.andon_hold
            case Step.PAYMENT:
                return self.payment

    def after_floor(self, step: Step) -> timedelta:
        """How long after its due floor the step is overdue: the release's floor is the order's
        deadline itself; the pattern check's is the customer's `confirm_by`, after which the
        order service cancels the order within its grace."""
        return self.release_grace if step is Step.PATTERN_CHECK else timedelta(0)


def expected_by(
    step: Step, *, since: datetime, due_floor: datetime | None, timeouts: Timeouts
) -> datetime:
    """When the step is overdue: its timeout after its clock started, and never before its due
    floor (plus that floor's grace).

    A release is due by the order's deadline (pushed back by the time holds paused it), but
    the order service always gets its grace after the release became possible: an order whose
    credit answer arrived after its deadline is late, not lost.
    """
    due = since + timeouts.after_start(step)
    if due_floor is None:
        return due
    return max(due, due_floor + timeouts.after_floor(step))

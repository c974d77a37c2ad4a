"""What the watchdog knows of one order, and which hand-off each step is waiting for."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.andon.domain.steps import Status, Step

CREDIT_ANSWERS = frozenset({"approved", "review", "declined"})
ANDON_HOLD = "andon:"


def andon_hold(pull_id: UUID) -> str:
    return f"{ANDON_HOLD}{pull_id}"


@dataclass
class Stock:
    answered: bool = False
    reserved: int = 0
    backordered: bool = False


class OrderFacts:
    """The facts other services published about an order, and the step statuses they imply."""

    placed: bool
    customer_id: str
    deadline: datetime | None
    backorder_rule: str
    ordered: dict[str, int]
    stock: dict[str, Stock]
    credit: str
    released: set[int]
    shipped: set[int]
    outcome: str | None
    holds: set[str]

    def init_facts(self) -> None:
        self.placed = False
        self.customer_id = ""
        self.deadline = None
        self.backorder_rule = "ship_partial"
        self.ordered = {}
        self.stock = {}
        self.credit = "pending"
        self.released = set()
        self.shipped = set()
        self.outcome = None
        self.holds = set()

    def statuses(self) -> dict[Step, Status]:
        if not self.placed or self.outcome is not None:
            return dict.fromkeys(Step, Status.IDLE)
        return {
            Step.CREDIT_CHECK: Status.ACTIVE if self.credit == "pending" else Status.DONE,
            Step.STOCK_CHECK: self._stock_status(),
            Step.RELEASE: self._release_status(),
            Step.SHIPMENT: self._shipment_status(),
        }

    def _andon_held(self) -> bool:
        return any(hold.startswith(ANDON_HOLD) for hold in self.holds)

    def _awaiting_stock(self) -> bool:
        return any(not self.stock.get(sku, Stock()).answered for sku in self.ordered)

    def _stock_status(self) -> Status:
        if not self._awaiting_stock():
            return Status.DONE
        return Status.PAUSED if self._andon_held() else Status.ACTIVE

    def _release_status(self) -> Status:
        if self.released:
            return Status.DONE
        if self.credit == "declined":
            return Status.IDLE
        if self.holds or self.credit == "review":
            return Status.PAUSED
        if self.credit != "approved" or self._awaiting_stock():
            return Status.IDLE
        if self._releasable():
            return Status.ACTIVE
        backordered = any(self.stock.get(sku, Stock()).backordered for sku in self.ordered)
        return Status.PAUSED if backordered else Status.IDLE

    def _releasable(self) -> bool:
        reserved = [self.stock.get(sku, Stock()).reserved for sku in self.ordered]
        if self.backorder_rule == "wait_complete":
            return all(
                r >= self.ordered[sku] for r, sku in zip(reserved, self.ordered, strict=True)
            )
        return any(r > 0 for r in reserved)

    def _shipment_status(self) -> Status:
        if not self.released:
            return Status.IDLE
        if self.released <= self.shipped:
            return Status.DONE
        return Status.PAUSED if self._andon_held() else Status.ACTIVE

"""Reconciliation across services: each service answers for its own facts about a page of
orders, and what one knows that another never heard of is a finding naming the lost step.

Inventory, credit and fulfillment are asked first, the order service last, for their page and
for every order the others reported: an order the others know was placed before the order
service answered, so its silence means it never had the order. The others answered after the
request, so an order placed a settle time before it must be known to them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from services.andon.events import (
    CrossCheckCursorMoved,
    CrossCheckStarted,
    FactsNoted,
    Finding,
    ReconciliationRequested,
    ServicesReconciled,
)
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent

FIRST_ASKED = ("inventory", "credit", "fulfillment")
LAST_ASKED = "order"
RELEASED = frozenset({"released", "partially_shipped", "shipped", "completed"})
SHIPPED = frozenset({"partially_shipped", "shipped", "completed"})
ENDED = frozenset({"cancelled", "rejected"})


@dataclass(frozen=True)
class Window:
    """When each round of questions went out, and how long a hand-off may take to land."""

    first_asked: datetime
    last_asked: datetime
    settle: timedelta


def _time(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def compare(
    facts: Mapping[str, Mapping[UUID, Mapping[str, Any]]], window: Window
) -> tuple[int, list[Finding]]:
    """Orders compared and the findings, from each service's facts by order id."""
    order = facts.get(LAST_ASKED, {})
    ids = set().union(*(known.keys() for known in facts.values()))
    findings: list[Finding] = []
    for order_id in sorted(ids, key=str):
        mine = order.get(order_id)
        others = {s: facts.get(s, {}).get(order_id) for s in FIRST_ASKED}
        if mine is None:
            findings += _unknown_to_order(order_id, others)
        else:
            findings += _missing_elsewhere(order_id, mine, others, window)
    return len(ids), findings


def _unknown_to_order(order_id: UUID, others: Mapping[str, Any]) -> list[Finding]:
    holders = ", ".join(s for s, known in others.items() if known is not None)
    return [
        Finding(
            order_id=order_id,
            step="intake",
            service=LAST_ASKED,
            problem=f"the order service has no order {order_id}, yet {holders} know it",
        )
    ]


def _missing_elsewhere(
    order_id: UUID, mine: Mapping[str, Any], others: Mapping[str, Any], window: Window
) -> list[Finding]:
    status = mine["status"]
    settled = window.first_asked - window.settle
    placed_long_ago = _time(mine["placed_at"]) <= settled
    changed_long_ago = _time(mine["updated_at"]) <= settled
    stock, credit, fulfillment = (others[s] for s in FIRST_ASKED)

    def lost(step: str, service: str, problem: str) -> Finding:
        return Finding(order_id=order_id, step=step, service=service, problem=problem)

    found = []
    if placed_long_ago and stock is None:
        found.append(
            lost("stock_check", "inventory", f"inventory never received OrderPlaced for {order_id}")
        )
    # A declined order is rejected: credit's answer was the decline, which it keeps no row of.
    if placed_long_ago and credit is None and status != "rejected":
        found.append(
            lost("credit_check", "credit", f"credit never received OrderPlaced for {order_id}")
        )
    if changed_long_ago and status in RELEASED and fulfillment is None:
        found.append(
            lost(
                "release",
                "fulfillment",
                f"fulfillment never received OrderReleased for {order_id}",
            )
        )
    if changed_long_ago and status in ENDED and stock is not None and stock["reserved"] > 0:
        found.append(
            lost(
                "stock_release",
                "inventory",
                f"inventory still reserves {stock['reserved']} units for {status} order"
                f" {order_id}: it never received Order{status.capitalize()}",
            )
        )
    shipped_at = None if fulfillment is None else fulfillment.get("last_shipped_at")
    if (
        shipped_at is not None
        and _time(shipped_at) <= window.last_asked - window.settle
        and status not in SHIPPED
    ):
        found.append(
            lost(
                "shipment",
                LAST_ASKED,
                f"the order service never received ShipmentShipped for {order_id}",
            )
        )
    return found


class CrossCheck(Aggregate):
    """One run: the questions out, the answers in, and the comparison once all are in."""

    stream_type = "cross-check"
    event_classes = event_map(
        CrossCheckStarted, ReconciliationRequested, FactsNoted, ServicesReconciled
    )

    def __init__(self, run_id: str) -> None:
        super().__init__(run_id)
        self.run_id = UUID(run_id)
        self.after: UUID | None = None
        self.limit = 0
        self.settle = timedelta(0)
        self.asked: dict[str, datetime] = {}
        self.answers: dict[str, FactsNoted] = {}
        self.completed = False

    def start(self, *, after: UUID | None, limit: int, settle: timedelta, now: datetime) -> None:
        if self.asked:
            return
        started = CrossCheckStarted(
            run_id=self.run_id,
            after=after,
            limit=limit,
            settle_seconds=settle.total_seconds(),
            started_at=now,
        )
        self._record(started)
        self._ask(FIRST_ASKED, (), now)

    def note(
        self,
        service: str,
        orders: tuple[dict[str, Any], ...],
        page_end: UUID | None,
        *,
        now: datetime,
    ) -> None:
        """Once the first asked answered, the order service is asked; once it answered, the
        run compares and completes."""
        if service not in self.asked or service in self.answers or self.completed:
            return
        self._record(
            FactsNoted(
                run_id=self.run_id, service=service, orders=orders, page_end=page_end, at=now
            )
        )
        if set(FIRST_ASKED) <= self.answers.keys() and LAST_ASKED not in self.asked:
            known = {o["order_id"] for s in FIRST_ASKED for o in self.answers[s].orders}
            self._ask((LAST_ASKED,), tuple(sorted(UUID(str(i)) for i in known)), now)
        elif LAST_ASKED in self.answers:
            self._complete(now)

    @property
    def awaiting(self) -> list[str]:
        return sorted(self.asked.keys() - self.answers.keys())

    @property
    def through(self) -> UUID | None:
        """The last order every service answered for: the smallest end of a full page."""
        ends = [a.page_end for a in self.answers.values() if a.page_end is not None]
        return min(ends, key=str) if ends else None

    def _ask(self, services: tuple[str, ...], order_ids: tuple[UUID, ...], now: datetime) -> None:
        self._record(
            ReconciliationRequested(
                run_id=self.run_id,
                services=services,
                after=self.after,
                limit=self.limit,
                order_ids=order_ids,
                requested_at=now,
            ),
        )

    def _complete(self, now: datetime) -> None:
        through = self.through
        facts = {
            service: {
                UUID(str(o["order_id"])): o
                for o in answer.orders
                if through is None or str(o["order_id"]) <= str(through)
            }
            for service, answer in self.answers.items()
        }
        window = Window(
            first_asked=self.asked[FIRST_ASKED[0]],
            last_asked=self.asked[LAST_ASKED],
            settle=self.settle,
        )
        checked, findings = compare(facts, window)
        self._record(
            ServicesReconciled(
                run_id=self.run_id,
                after=self.after,
                through=through,
                checked=checked,
                findings=tuple(findings),
                completed_at=now,
            )
        )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case CrossCheckStarted():
                self.after, self.limit = event.after, event.limit
                self.settle = timedelta(seconds=event.settle_seconds)
            case ReconciliationRequested():
                self.asked.update(dict.fromkeys(event.services, event.requested_at))
            case FactsNoted():
                self.answers[event.service] = event
            case ServicesReconciled():
                self.completed = True


class CrossCheckCursor(Aggregate):
    """Where the next run's page starts: after the last order the previous run covered."""

    stream_type = "cross-check-cursor"
    event_classes = event_map(CrossCheckCursorMoved)
    ID = "current"

    def __init__(self, aggregate_id: str = ID) -> None:
        super().__init__(aggregate_id)
        self.after: UUID | None = None

    def move(self, after: UUID | None) -> None:
        if after != self.after:
            self._record(CrossCheckCursorMoved(after=after))

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case CrossCheckCursorMoved():
                self.after = event.after

"""Order watch aggregate: what the gap watchdog knows of one order and which hand-off it awaits.

The watch is a fold of the facts other services published about the order. After every fact it
compares each step's status before and after, and records the change of its clock (awaited,
paused, settled): the read models and the watchdog's scan are folded from those, so they are
rebuildable from this service's own event store.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from uuid import UUID

from services.andon.domain.order_facts import (
    ANDON_HOLD,
    CREDIT_ANSWERS,
    PATTERN_CHECK_HOLD,
    Stock,
)
from services.andon.domain.steps import Status, Step, Timeouts, expected_by
from services.andon.events import (
    CreditObserved,
    DeliveryObserved,
    GapClosed,
    GapDetected,
    HandOffAwaited,
    HandOffPaused,
    HandOffSettled,
    HoldObserved,
    InvoiceObserved,
    OrderEnded,
    OrderLinesChanged,
    OrderWatched,
    PaymentObserved,
    ReleaseObserved,
    ShipmentObserved,
    StockObserved,
    TermsObserved,
)
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


class OrderWatch(Aggregate):
    stream_type = "order-watch"
    event_classes = event_map(
        OrderWatched,
        OrderLinesChanged,
        TermsObserved,
        StockObserved,
        CreditObserved,
        ReleaseObserved,
        ShipmentObserved,
        InvoiceObserved,
        PaymentObserved,
        DeliveryObserved,
        OrderEnded,
        HoldObserved,
        HandOffAwaited,
        HandOffPaused,
        HandOffSettled,
        GapDetected,
        GapClosed,
    )

    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.order_id = UUID(order_id)
        # The facts other services published about the order.
        self.placed = False
        self.customer_id = ""
        self.deadline: datetime | None = None
        self.backorder_rule = "ship_partial"
        self.ordered: dict[str, int] = {}
        self.total_cents: int | None = None
        self.stock: dict[str, Stock] = {}
        self.credit = "pending"
        self.released: set[int] = set()
        self.shipped: set[int] = set()
        # Shipment id -> when it shipped (shipments recorded without an id are not followed
        # further); the shipments invoiced and delivered; invoice id -> when it was issued.
        self.shipments: dict[UUID, datetime] = {}
        self.invoiced: set[UUID] = set()
        self.delivered: set[UUID] = set()
        self.invoices: dict[UUID, datetime] = {}
        self.paid: set[UUID] = set()
        self.outcome: str | None = None
        # Open hold -> when it opened; and the deadline a hold's event carried.
        self.holds: dict[str, datetime] = {}
        self.hold_due: dict[str, datetime] = {}
        self.since: dict[Step, datetime] = {}
        self.due_floor: dict[Step, datetime | None] = {}
        self.paused_since: dict[Step, datetime] = {}
        self.paused_seconds: dict[Step, float] = {}
        self.open_gaps: dict[Step, datetime] = {}

    # Facts from other services. Each is a no-op when it tells the watch nothing new.

    def place(
        self,
        *,
        customer_id: str,
        lines: dict[str, int],
        deadline: datetime | None,
        backorder_rule: str,
        at: datetime,
        total_cents: int | None = None,
    ) -> None:
        if self.placed:
            return
        event = OrderWatched(
            order_id=self.order_id,
            customer_id=customer_id,
            lines=lines,
            deadline=deadline,
            backorder_rule=backorder_rule,
            at=at,
            total_cents=total_cents,
        )
        self._observe(event, at)

    def change(
        self,
        *,
        lines: dict[str, int],
        increased: tuple[str, ...],
        at: datetime,
        total_cents: int | None = None,
    ) -> None:
        if lines == self.ordered and not increased:
            return
        event = OrderLinesChanged(
            order_id=self.order_id,
            lines=lines,
            increased=increased,
            at=at,
            total_cents=total_cents,
        )
        self._observe(event, at)

    def follow_terms(self, *, deadline: datetime | None, backorder_rule: str, at: datetime) -> None:
        """A change moved the release deadline or the backorder rule: a running release clock
        keeps its start and is due by the new deadline (a later one is no gap meanwhile)."""
        if not self.placed or (deadline, backorder_rule) == (self.deadline, self.backorder_rule):
            return
        releasing = self.statuses()[Step.RELEASE] is Status.ACTIVE
        event = TermsObserved(
            order_id=self.order_id, deadline=deadline, backorder_rule=backorder_rule, at=at
        )
        self._observe(event, at)
        if not releasing or self.statuses()[Step.RELEASE] is not Status.ACTIVE:
            return  # a clock that starts (or resumes) later takes the new deadline then
        since, due_floor = self.since.get(Step.RELEASE), self._due(Step.RELEASE, at)
        if since is not None and due_floor != self.due_floor.get(Step.RELEASE):
            self._record(
                HandOffAwaited(
                    order_id=self.order_id, step=Step.RELEASE, since=since, due_floor=due_floor
                )
            )

    def stock_reserved(
        self,
        sku: str,
        *,
        reserved_total: int,
        backordered_total: int | None = None,
        at: datetime,
    ) -> None:
        if backordered_total is None:
            ordered = self.ordered.get(sku)
            backordered = ordered is not None and reserved_total < ordered
        else:
            backordered = backordered_total > 0
        self._stock(sku, reserved=reserved_total, backordered=backordered, at=at)

    def stock_backordered(self, sku: str, *, at: datetime) -> None:
        self._stock(sku, reserved=self.stock.get(sku, Stock()).reserved, backordered=True, at=at)

    def stock_released(
        self,
        sku: str,
        *,
        quantity: int,
        reserved_total: int | None = None,
        backordered_total: int | None = None,
        at: datetime,
    ) -> None:
        """Inventory says what the line still has; an older producer only what it released."""
        current = self.stock.get(sku, Stock())
        reserved = max(0, current.reserved - quantity) if reserved_total is None else reserved_total
        backordered = current.backordered if backordered_total is None else backordered_total > 0
        self._stock(sku, reserved=reserved, backordered=backordered, at=at)

    def credit_answered(self, answer: str, *, at: datetime) -> None:
        if answer not in CREDIT_ANSWERS or answer == self.credit:
            return
        self._observe(CreditObserved(order_id=self.order_id, answer=answer, at=at), at)

    def release_observed(self, release_no: int, *, at: datetime) -> None:
        if release_no not in self.released:
            self._observe(ReleaseObserved(order_id=self.order_id, release_no=release_no, at=at), at)

    def shipment_observed(
        self, release_no: int, *, at: datetime, shipment_id: UUID | None = None
    ) -> None:
        if release_no not in self.shipped:
            event = ShipmentObserved(
                order_id=self.order_id, release_no=release_no, at=at, shipment_id=shipment_id
            )
            self._observe(event, at)

    def invoice_observed(self, invoice_id: UUID, *, shipment_id: UUID, at: datetime) -> None:
        if invoice_id not in self.invoices:
            event = InvoiceObserved(
                order_id=self.order_id, invoice_id=invoice_id, shipment_id=shipment_id, at=at
            )
            self._observe(event, at)

    def payment_observed(self, invoice_id: UUID, *, at: datetime) -> None:
        if invoice_id not in self.paid:
            self._observe(PaymentObserved(order_id=self.order_id, invoice_id=invoice_id, at=at), at)

    def delivery_observed(self, shipment_id: UUID, *, at: datetime) -> None:
        if shipment_id not in self.delivered:
            event = DeliveryObserved(order_id=self.order_id, shipment_id=shipment_id, at=at)
            self._observe(event, at)

    def end(self, outcome: str, *, at: datetime) -> None:
        if self.outcome is None:
            self._observe(OrderEnded(order_id=self.order_id, outcome=outcome, at=at), at)

    def hold(self, hold: str, *, at: datetime, due: datetime | None = None) -> None:
        if hold not in self.holds:
            event = HoldObserved(order_id=self.order_id, hold=hold, open=True, at=at, due=due)
            self._observe(event, at)

    def lift(self, hold: str, *, at: datetime) -> None:
        if hold in self.holds:
            self._observe(HoldObserved(order_id=self.order_id, hold=hold, open=False, at=at), at)

    # The watchdog.

    def overdue(self, now: datetime, timeouts: Timeouts) -> list[tuple[Step, datetime]]:
        """Steps whose hand-off is overdue and not yet reported as a gap."""
        late = []
        for step, status in self.statuses().items():
            # A watch older than a step may be in it with no clock: nothing to be late against.
            if status is not Status.ACTIVE or step in self.open_gaps or step not in self.since:
                continue
            due = expected_by(
                step, since=self.since[step], due_floor=self.due_floor.get(step), timeouts=timeouts
            )
            if now >= due:
                late.append((step, due))
        return late

    def record_gap(
        self, step: Step, *, expected_by: datetime, now: datetime, pull_id: UUID | None
    ) -> None:
        if step in self.open_gaps:
            return
        self._record(
            GapDetected(
                order_id=self.order_id,
                step=step,
                expected_by=expected_by,
                detected_at=now,
                pull_id=pull_id,
            )
        )

    def andon_pulls(self) -> list[str]:
        """Ids of the pulls that hold the order."""
        return sorted(h.removeprefix(ANDON_HOLD) for h in self.holds if h.startswith(ANDON_HOLD))

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    def _stock(self, sku: str, *, reserved: int, backordered: bool, at: datetime) -> None:
        current = self.stock.get(sku)
        if current == Stock(answered=True, reserved=reserved, backordered=backordered):
            return
        event = StockObserved(
            order_id=self.order_id, sku=sku, reserved=reserved, backordered=backordered, at=at
        )
        self._observe(event, at)

    def _observe(self, fact: DomainEvent, at: datetime) -> None:
        before, started = self.statuses(), self._starts()
        self._record(fact)
        starts = self._starts()
        for step, now_status in self.statuses().items():
            if now_status is not before[step]:
                self._follow_clock(step, before[step], now_status, at)
            elif now_status is Status.ACTIVE and starts.get(step) != started.get(step):
                # The oldest thing the step waited for arrived: its clock runs from the next.
                self._await(step, at)

    def _follow_clock(self, step: Step, before: Status, after: Status, at: datetime) -> None:
        if after is Status.ACTIVE:
            self._await(step, at)
        elif after is Status.PAUSED:
            self._record(HandOffPaused(order_id=self.order_id, step=step, at=at))
        elif before in (Status.ACTIVE, Status.PAUSED):
            self._record(HandOffSettled(order_id=self.order_id, step=step, at=at))
        if after in (Status.DONE, Status.IDLE) and step in self.open_gaps:
            self._record(GapClosed(order_id=self.order_id, step=step, closed_at=at))

    def _await(self, step: Step, at: datetime) -> None:
        since = self._starts().get(step, at)
        self._record(
            HandOffAwaited(
                order_id=self.order_id, step=step, since=since, due_floor=self._due(step, at)
            )
        )

    def _starts(self) -> dict[Step, datetime]:
        """When the oldest thing a step waits for began, for steps that wait for several."""
        waiting = {
            Step.INVOICE: [t for s, t in self.shipments.items() if s not in self.invoiced],
            Step.DELIVERY: [t for s, t in self.shipments.items() if s not in self.delivered],
            Step.PAYMENT: [t for i, t in self.invoices.items() if i not in self.paid],
            Step.ANDON_HOLD: [t for h, t in self.holds.items() if h.startswith(ANDON_HOLD)],
        }
        return {step: min(times) for step, times in waiting.items() if times}

    def _due(self, step: Step, at: datetime) -> datetime | None:
        """The release deadline, moved back by every second a hold kept the release paused; the
        deadline a pattern-check hold carried."""
        if step is Step.PATTERN_CHECK:
            return self.hold_due.get(PATTERN_CHECK_HOLD)
        if step is not Step.RELEASE or self.deadline is None:
            return None
        paused = self.paused_seconds.get(step, 0.0)
        if (paused_since := self.paused_since.get(step)) is not None:
            paused += max(0.0, (at - paused_since).total_seconds())
        return self.deadline + timedelta(seconds=paused)

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case OrderWatched():
                self._apply_placed(event)
            case OrderLinesChanged():
                self._apply_changed(event)
            case TermsObserved():
                self.deadline = event.deadline
                self.backorder_rule = event.backorder_rule
            case StockObserved():
                self.stock[event.sku] = Stock(True, event.reserved, event.backordered)
            case CreditObserved():
                self.credit = event.answer
            case ReleaseObserved():
                self.released.add(event.release_no)
            case ShipmentObserved():
                self.shipped.add(event.release_no)
                if event.shipment_id is not None:
                    self.shipments[event.shipment_id] = event.at
            case InvoiceObserved():
                self.invoices[event.invoice_id] = event.at
                self.invoiced.add(event.shipment_id)
            case PaymentObserved():
                self.paid.add(event.invoice_id)
            case DeliveryObserved():
                self.delivered.add(event.shipment_id)
            case OrderEnded():
                self.outcome = event.outcome
            case HoldObserved():
                self._apply_hold(event)
            case HandOffAwaited() | HandOffPaused() | HandOffSettled():
                self._apply_clock(event)
            case GapDetected():
                self.open_gaps[Step(event.step)] = event.expected_by
            case GapClosed():
                self.open_gaps.pop(Step(event.step), None)

    def _apply_hold(self, event: HoldObserved) -> None:
        if not event.open:
            self.holds.pop(event.hold, None)
            self.hold_due.pop(event.hold, None)
            return
        self.holds[event.hold] = event.at
        if event.due is not None:
            self.hold_due[event.hold] = event.due

    def _apply_placed(self, event: OrderWatched) -> None:
        self.placed = True
        self.customer_id = event.customer_id
        self.ordered = dict(event.lines)
        self.deadline = event.deadline
        self.backorder_rule = event.backorder_rule
        self.total_cents = event.total_cents

    def _apply_changed(self, event: OrderLinesChanged) -> None:
        self.ordered = dict(event.lines)
        for sku in event.increased:
            self.stock[sku] = Stock(reserved=self.stock.get(sku, Stock()).reserved)
        # Credit decides afresh only when the total changes (flows.md); a total unknown to
        # either side (events of older producers) counts as changed.
        if event.total_cents is None or event.total_cents != self.total_cents:
            self.credit = "pending"
        self.total_cents = event.total_cents

    def _apply_clock(self, event: HandOffAwaited | HandOffPaused | HandOffSettled) -> None:
        step = Step(event.step)
        match event:
            case HandOffAwaited():
                self._end_pause(step, event.since)
                self.since[step] = event.since
                self.due_floor[step] = event.due_floor
            case HandOffPaused():
                self.paused_since[step] = event.at
            case HandOffSettled():
                self._end_pause(step, event.at)

    def _end_pause(self, step: Step, at: datetime) -> None:
        if (paused_since := self.paused_since.pop(step, None)) is not None:
            pause = max(0.0, (at - paused_since).total_seconds())
            self.paused_seconds[step] = self.paused_seconds.get(step, 0.0) + pause

    # -- step statuses implied by the facts ------------------------------------------------------

    def statuses(self) -> dict[Step, Status]:
        statuses = dict.fromkeys(Step, Status.IDLE)
        if not self.placed:
            return statuses
        if self.outcome is not None:
            # Complete is shipped, invoiced and paid: the carrier may still owe the delivery.
            if self.outcome == "completed":
                statuses[Step.DELIVERY] = self._awaiting(self.shipments, self.delivered)
            return statuses
        return {
            Step.CREDIT_CHECK: Status.ACTIVE if self.credit == "pending" else Status.DONE,
            Step.STOCK_CHECK: self._stock_status(),
            Step.RELEASE: self._release_status(),
            Step.SHIPMENT: self._shipment_status(),
            Step.INVOICE: self._awaiting(self.shipments, self.invoiced),
            Step.DELIVERY: self._awaiting(self.shipments, self.delivered),
            Step.PAYMENT: self._awaiting(self.invoices, self.paid),
            Step.CREDIT_REVIEW: Status.ACTIVE if self.credit == "review" else Status.IDLE,
            Step.PATTERN_CHECK: (
                Status.ACTIVE if PATTERN_CHECK_HOLD in self.holds else Status.IDLE
            ),
            Step.BACKORDER: self._backorder_status(),
            Step.ANDON_HOLD: Status.ACTIVE if self._andon_held() else Status.IDLE,
        }

    @staticmethod
    def _awaiting(expected: Mapping[UUID, datetime], arrived: set[UUID]) -> Status:
        if not expected:
            return Status.IDLE
        return Status.DONE if expected.keys() <= arrived else Status.ACTIVE

    def _backorder_status(self) -> Status:
        """Units waiting for stock are purchasing's to bring in, unless an andon stops them."""
        if not any(self.stock.get(sku, Stock()).backordered for sku in self.ordered):
            return Status.IDLE
        return Status.PAUSED if self._andon_held() else Status.ACTIVE

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

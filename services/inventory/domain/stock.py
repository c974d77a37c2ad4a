"""Stock aggregate: one per SKU; reserves against available-to-promise, queues backorders.

Scarce stock goes by priority (flows.md, "Allocation when stock is scarce"): an order takes
available stock only down to its protection floor (the policy's protection levels), and a
waiting order may ask for a lower-priority order's reservation that the protection levels keep
from it, if not yet released to the warehouse; that order's own stream decides (it may have
released them meanwhile), and only what it yields moves.

Invariants (tests/unit/inventory/test_stock_invariants.py): reserved never exceeds on hand; an
order line never holds more than it ordered; no reservation takes available stock below the
order's floor, and no bump takes units released to the warehouse; free stock never sits idle
while a backorder it may serve waits, unless an andon stops the SKU's sale (then it is blocked,
and waits for the last pull's resolution).
"""

from datetime import datetime
from uuid import UUID

from services.inventory.domain.demand import DemandWindow
from services.inventory.domain.lines import BumpRequest, OrderLine
from services.inventory.domain.stops import SaleStops
from services.inventory.events import (
    DemandSpikeDetected,
    ReleaseReason,
    ReorderPointSet,
    ReorderSuggested,
    StockBackordered,
    StockBumpDeclined,
    StockBumped,
    StockBumpRequested,
    StockCommitted,
    StockLevel,
    StockReceived,
    StockReleased,
    StockRequested,
    StockRequestIncreased,
    StockReserved,
    StockSaleResumed,
    StockSaleStopLifted,
    StockSaleStopped,
    StockShipped,
)
from shared.aggregate import Aggregate, RecentlySettled, event_map
from shared.errors import InvalidRequestError
from shared.messages import DomainEvent


class Stock(Aggregate):
    stream_type = "stock"
    event_classes = event_map(
        StockReceived,
        StockRequested,
        StockRequestIncreased,
        StockReserved,
        StockBackordered,
        StockReleased,
        StockShipped,
        ReorderPointSet,
        ReorderSuggested,
        DemandSpikeDetected,
        StockSaleStopped,
        StockSaleResumed,
        StockSaleStopLifted,
        StockBumpRequested,
        StockBumped,
        StockBumpDeclined,
        StockCommitted,
    )

    def __init__(self, sku: str) -> None:
        super().__init__(sku)
        self.on_hand = 0
        self.reserved = 0
        self.stops = SaleStops()
        self.reorder_point = 0
        # Lines that still hold units; a settled one is dropped (see `_settle`), so the state
        # stays the size of what is open however many orders the SKU has served.
        self.lines: dict[UUID, OrderLine] = {}
        self.settled: RecentlySettled[UUID, OrderLine] = RecentlySettled()
        # The lines with units waiting, so serving a receipt never scans the SKU's whole history.
        self._waiting: set[UUID] = set()
        # Bumps asked and not yet answered, by the order asked (one at a time each), and the
        # lines with a protection floor (only they may be asked), so that looking for one
        # never scans the SKU's other open lines.
        self.bump_requests: dict[UUID, BumpRequest] = {}
        self._protected: set[UUID] = set()
        self.demand = DemandWindow()
        self._reorder_armed = True
        self._shipments: RecentlySettled[UUID, None] = RecentlySettled()

    @property
    def free(self) -> int:
        """Units on hand and not reserved, sellable or not."""
        return self.on_hand - self.reserved

    @property
    def blocked(self) -> int:
        """Free units an andon stop-sale keeps from being reserved."""
        return self.free if self.stops.stopped else 0

    @property
    def available(self) -> int:
        return self.free - self.blocked

    @property
    def backordered(self) -> int:
        return sum(self.lines[order_id].waiting for order_id in self._waiting)

    def line(self, order_id: UUID) -> OrderLine | None:
        """The order's line here, open or recently settled (its last state)."""
        return self.lines.get(order_id) or self.settled.get(order_id)

    @property
    def level(self) -> StockLevel:
        return StockLevel(on_hand=self.on_hand, reserved=self.reserved, available=self.available)

    def receive(self, quantity: int) -> None:
        """Goods in; serving waiting backorders from them is `allocate_next`'s job."""
        if quantity <= 0:
            raise InvalidRequestError("a receipt needs a positive quantity")
        self._record(StockReceived(sku=self.id, quantity=quantity, on_hand=self.on_hand + quantity))

    def place(
        self,
        order_id: UUID,
        quantity: int,
        *,
        priority: int,
        deadline: datetime,
        at: datetime,
        protection_floor: int = 0,
    ) -> None:
        """Reserve what is available above the order's protection floor for a new order line
        at once; backorder the rest (a bump may then find some: `bump_candidate`)."""
        if order_id in self.lines or order_id in self.settled or quantity <= 0:
            return  # this line was already answered; the same order came again
        self._record(
            StockRequested(
                order_id=order_id,
                sku=self.id,
                quantity=quantity,
                priority=priority,
                deadline=deadline,
                requested_at=at,
                protection_floor=protection_floor,
            )
        )
        self._reserve_or_backorder(order_id)
        self._check_demand(at)
        self._check_reorder()

    def change(
        self,
        order_id: UUID,
        quantity: int,
        *,
        priority: int,
        deadline: datetime,
        protection_floor: int = 0,
    ) -> None:
        """Make the line hold `quantity` units less those shipped: more waits or is reserved,
        less gives back waiting units first. Absolute, so a repeated change is a no-op. The
        terms are for a line the change adds; an existing line keeps its own."""
        line = self.lines.get(order_id)
        held, shipped = (line.held, line.shipped) if line else (0, 0)
        wanted = max(quantity - shipped, 0)
        if wanted > held:
            self._record(
                StockRequestIncreased(
                    order_id=order_id,
                    sku=self.id,
                    quantity=wanted - held,
                    priority=priority,
                    deadline=deadline,
                    protection_floor=protection_floor,
                )
            )
            self._reserve_or_backorder(order_id)
        elif wanted < held:
            self._release(order_id, held - wanted, "changed")
        self._check_reorder()

    def release(self, order_id: UUID, reason: ReleaseReason) -> None:
        """Give up everything the order holds here; freed units go to `allocate_next`."""
        line = self.lines.get(order_id)
        if line is not None and line.held > 0:
            self._release(order_id, line.held, reason)

    def ship(self, shipment_id: UUID, order_id: UUID, quantity: int) -> None:
        if shipment_id in self._shipments or quantity <= 0:
            return  # this shipment's line already left the shelf
        self._record(
            StockShipped(order_id=order_id, sku=self.id, quantity=quantity, shipment_id=shipment_id)
        )
        self._check_reorder()

    def set_reorder_point(self, reorder_point: int) -> None:
        if reorder_point != self.reorder_point:
            # No suggestion by itself: one is made when demand or a shipment takes stock below it.
            self._record(ReorderPointSet(sku=self.id, reorder_point=reorder_point))

    def stop_sale(self, pull_id: UUID) -> None:
        """An andon on the SKU: no new reservations; free units (and receipts) are blocked.
        Reservations already made stay."""
        if not self.stops.knows(pull_id):
            self._record(StockSaleStopped(sku=self.id, pull_id=pull_id, blocked=self.free))

    def resume_sale(self, pull_id: UUID) -> None:
        """The pull was resolved; the sale resumes once no other pull stops it. Serving the
        backorders that waited meanwhile is `allocate_next`'s job."""
        if self.stops.knows(pull_id) and pull_id not in self.stops.open:
            return  # this resolution was already taken into account
        if self.stops.is_last(pull_id):
            self._record(StockSaleResumed(sku=self.id, pull_id=pull_id))
        else:
            self._record(StockSaleStopLifted(sku=self.id, pull_id=pull_id))

    def allocate_next(self) -> UUID | None:
        """Serve the first waiting backorder that may take free stock (above its protection
        floor); None when nothing can be served."""
        if self.available <= 0:
            return None
        servable = [key for key in self._waiting if self._open_to(self.lines[key]) > 0]
        if not servable:
            return None
        order_id = min(servable, key=lambda key: self.lines[key].queue_key)
        line = self.lines[order_id]
        self._reserve(order_id, min(self._open_to(line), line.waiting))
        self._check_reorder()
        return order_id

    def allocate_all(self) -> list[UUID]:
        """Serve backorders until stock or backorders run out; the orders served, in turn."""
        served = []
        while (order_id := self.allocate_next()) is not None:
            served.append(order_id)
        return served

    def bump_candidate(self, order_id: UUID) -> UUID | None:
        """The order a waiting line may ask for its shortfall (less what it asked already):
        the lowest-priority one it may bump (`OrderLine.may_bump`) with units not released to
        the warehouse and no bump pending; None if none or while a stop-sale holds (a bump is a
        new reservation)."""
        line = self.lines.get(order_id)
        if line is None or self.stops.stopped or self._shortfall(order_id) <= 0:
            return None
        candidates = [
            (other.queue_key, key)
            for key in self._protected
            if key not in self.bump_requests
            and (other := self.lines[key]).bumpable > 0
            and line.may_bump(other)
        ]
        return max(candidates)[1] if candidates else None

    def bump_asker(self, order_id: UUID) -> UUID | None:
        """The first waiting line in turn that may ask `order_id` for units it lacks, now that
        nobody asks it (its last bump was answered); None if none."""
        line = self.lines.get(order_id)
        if line is None or order_id in self.bump_requests or line.bumpable <= 0:
            return None
        askers = [
            (asker.queue_key, key)
            for key in self._waiting
            if (asker := self.lines[key]).may_bump(line) and self._shortfall(key) > 0
        ]
        return min(askers)[1] if askers else None

    def waiting_in_turn(self) -> list[UUID]:
        """The waiting lines, in the order backorders are served."""
        return sorted(self._waiting, key=lambda key: self.lines[key].queue_key)

    def request_bump(self, order_id: UUID, victim_id: UUID) -> None:
        """Ask `victim_id` (a `bump_candidate`) for the waiting line's shortfall."""
        line, victim = self.lines[order_id], self.lines[victim_id]
        self._record(
            StockBumpRequested(
                order_id=victim_id,
                sku=self.id,
                quantity=min(self._shortfall(order_id), victim.bumpable),
                for_order_id=order_id,
                priority=line.priority,
            )
        )

    def answer_bump(self, order_id: UUID, for_order_id: UUID, yielded: int) -> int:
        """The asked order's answer: it yielded `yielded` units (0: it kept them). They wait
        again on its line (at most what it still holds unreleased); how many, for
        `pass_on`. A yield is always acknowledged with `StockBumped`: the order releases
        nothing more of the SKU until then."""
        request = self.bump_requests.get(order_id)
        if request is None or request.for_order_id != for_order_id:
            return 0  # this answer was already taken into account
        if yielded <= 0:
            self._record(
                StockBumpDeclined(order_id=order_id, sku=self.id, for_order_id=for_order_id)
            )
            return 0
        line = self.line(order_id)
        quantity = min(yielded, line.bumpable) if line else 0
        self._record(
            StockBumped(
                order_id=order_id,
                sku=self.id,
                quantity=quantity,
                by_order_id=for_order_id,
                reserved_total=line.reserved + line.shipped - quantity if line else 0,
                backordered_total=line.waiting + quantity if line else 0,
            )
        )
        return quantity

    def pass_on(self, bumped: UUID, quantity: int) -> tuple[UUID, int] | None:
        """Reserve up to `quantity` of the units `bumped` just yielded for the first waiting line
        in turn that may bump it (the one that asked, or one before it): they pass from one
        reservation to another, so the shelf's protection level is no bar. The line and the
        units it took; None when nobody may take them (the rest is free stock)."""
        victim = self.line(bumped)
        if quantity <= 0 or victim is None or self.available <= 0:
            return None
        takers = [
            (line.queue_key, key)
            for key in self._waiting
            if (line := self.lines[key]).may_bump(victim)
        ]
        if not takers:
            return None
        order_id = min(takers)[1]
        taken = min(quantity, self.lines[order_id].waiting, self.available)
        self._reserve(order_id, taken, taken_from=bumped)
        return order_id, taken

    def commit(self, order_id: UUID, release_no: int, quantity: int) -> None:
        """The order released `quantity` units to the warehouse: no bump may take them. Noted
        only where some order may bump the line (its protection floor is above 0)."""
        line = self.lines.get(order_id)
        if line is None or line.protection_floor == 0 or release_no <= line.release_no:
            return
        self._record(
            StockCommitted(order_id=order_id, sku=self.id, quantity=quantity, release_no=release_no)
        )

    def _shortfall(self, order_id: UUID) -> int:
        """Units the line waits for that it has not asked of another order yet."""
        asked = sum(r.quantity for r in self.bump_requests.values() if r.for_order_id == order_id)
        return self.lines[order_id].waiting - asked

    def _open_to(self, line: OrderLine) -> int:
        """Available units the line may take: those above its protection floor."""
        return max(self.available - line.protection_floor, 0)

    def _reserve_or_backorder(self, order_id: UUID) -> None:
        line = self.lines[order_id]
        if (now_free := min(self._open_to(line), line.waiting)) > 0:
            self._reserve(order_id, now_free)
        if line.waiting > 0:
            self._record(
                StockBackordered(
                    order_id=order_id,
                    sku=self.id,
                    quantity=line.waiting,
                    priority=line.priority,
                    deadline=line.deadline,
                )
            )

    def _reserve(self, order_id: UUID, quantity: int, *, taken_from: UUID | None = None) -> None:
        line = self.lines[order_id]
        self._record(
            StockReserved(
                order_id=order_id,
                sku=self.id,
                quantity=quantity,
                reserved_total=line.reserved + line.shipped + quantity,
                backordered_total=line.waiting - quantity,
                taken_from=taken_from,
            )
        )

    def _release(self, order_id: UUID, quantity: int, reason: ReleaseReason) -> None:
        line = self.lines[order_id]
        from_waiting = min(line.waiting, quantity)
        self._record(
            StockReleased(
                order_id=order_id,
                sku=self.id,
                quantity=quantity,
                reason=reason,
                reserved_total=line.reserved + line.shipped - (quantity - from_waiting),
                backordered_total=line.waiting - from_waiting,
            )
        )

    def _check_demand(self, now: datetime) -> None:
        if (spike := self.demand.spike(now)) is not None:
            recent, baseline = spike
            self._record(
                DemandSpikeDetected(sku=self.id, recent_units=recent, baseline_units=baseline)
            )

    def _check_reorder(self) -> None:
        # Against free units: a stop-sale blocks stock but is no shortage to reorder for.
        if self._reorder_armed and self.free < self.reorder_point:
            self._record(
                ReorderSuggested(sku=self.id, available=self.free, reorder_point=self.reorder_point)
            )

    def _record(self, event: DomainEvent) -> None:
        super()._record(event)
        if "level" in type(event).model_fields:  # it moved the stock: say to what level
            self._pending[-1] = event.model_copy(update={"level": self.level})

    def _apply(self, event: DomainEvent) -> None:
        self._apply_change(event)
        if (order_id := getattr(event, "order_id", None)) in self.lines:
            if self.lines[order_id].waiting > 0:
                self._waiting.add(order_id)
            else:
                self._waiting.discard(order_id)
            if isinstance(event, StockReleased | StockShipped):
                self._settle(order_id)
        # Re-armed whenever available is back at or above the point, so a suggestion is made
        # once per fall below it (not by a bump: it frees units only to hand them on).
        if self.free >= self.reorder_point and not isinstance(event, StockBumped):
            self._reorder_armed = True

    def _apply_change(self, event: DomainEvent) -> None:
        match event:
            case StockReceived():
                self.on_hand += event.quantity
            case StockRequested() | StockRequestIncreased():
                self._wait(event)
                if isinstance(event, StockRequested):
                    self.demand.record(event.requested_at, event.quantity)
            case StockReserved():
                line = self.lines[event.order_id]
                line.waiting -= event.quantity
                line.reserved += event.quantity
                self.reserved += event.quantity
            case StockReleased():
                self.reserved -= self.lines[event.order_id].take_back(event.quantity)
            case StockShipped():
                self._apply_shipped(event)
            case ReorderPointSet():
                self.reorder_point = event.reorder_point
            case ReorderSuggested():
                self._reorder_armed = False
            case DemandSpikeDetected():
                self.demand.last_spike_at = self.demand.latest
            case StockSaleStopped():
                self.stops.stop(event.pull_id)
            case StockSaleResumed() | StockSaleStopLifted():
                self.stops.lift(event.pull_id)
            case StockBackordered():
                pass  # announces the waiting units; the request already queued them
            case StockBumpRequested() | StockBumpDeclined() | StockBumped() | StockCommitted():
                self._apply_bump(event)

    def _apply_bump(
        self, event: StockBumpRequested | StockBumpDeclined | StockBumped | StockCommitted
    ) -> None:
        line = self.lines.get(event.order_id)
        match event:
            case StockBumpRequested():
                self.bump_requests[event.order_id] = BumpRequest(event.for_order_id, event.quantity)
            case StockBumpDeclined():
                self.bump_requests.pop(event.order_id, None)
                # It kept what it holds (released, or it ended): never asked for that again.
                if line is not None:
                    line.committed = max(line.committed, line.reserved + line.shipped)
            case StockBumped():
                self.bump_requests.pop(event.order_id, None)
                # The yielded units wait again on their line, joining the queue as new arrivals.
                if line is not None and event.quantity > 0:
                    line.reserved -= event.quantity
                    self.reserved -= event.quantity
                    self._queue(line, event.quantity)
            case StockCommitted() if line is not None:
                line.committed += event.quantity
                line.release_no = event.release_no

    def _settle(self, order_id: UUID) -> None:
        """Drop a line that holds nothing any more. Nothing it knew is needed again: once
        anything shipped the order can no longer change, and a line released to zero before
        that is the same as no line to a later change (which asks for the units afresh)."""
        if self.lines[order_id].held == 0:
            self.settled.add(order_id, self.lines.pop(order_id))
            self._protected.discard(order_id)

    def _wait(self, event: StockRequested | StockRequestIncreased) -> None:
        line = self.lines.setdefault(
            event.order_id,
            OrderLine(
                priority=event.priority,
                deadline=event.deadline,
                protection_floor=event.protection_floor,
            ),
        )
        if line.protection_floor > 0:
            self._protected.add(event.order_id)
        self._queue(line, event.quantity)

    def _queue(self, line: OrderLine, quantity: int) -> None:
        if line.waiting == 0:
            line.arrival = self.version + 1
        line.waiting += quantity

    def _apply_shipped(self, event: StockShipped) -> None:
        self.on_hand -= event.quantity
        if event.shipment_id is not None:
            self._shipments.add(event.shipment_id, None)
        if (line := self.lines.get(event.order_id)) is not None:
            self.reserved -= line.ship(event.quantity)

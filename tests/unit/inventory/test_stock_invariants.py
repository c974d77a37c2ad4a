"""Property-style checks: random place/receive/change/cancel/release/ship/short-pick runs on one
SKU, with protection levels and bumps answered as the order service would, keep the rules."""

import random
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from inventory_builders import NOW, SKU

from services.inventory.domain import OrderLine, Stock
from services.inventory.events import (
    StockBumped,
    StockReceived,
    StockReleased,
    StockReserved,
)
from shared.messages import DomainEvent

RUNS = 200
STEPS = 60


class Run:
    """One random history against one SKU, with what each order asked for and, as its order
    service knows it, released to the warehouse (a bump it is asked about is answered from
    that, whatever inventory saw)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.stock = Stock(SKU)
        self.ordered: dict[UUID, int] = {}
        self.released: dict[UUID, int] = {}
        self.releases: dict[UUID, int] = {}
        self.open: list[UUID] = []
        # A random policy: the protection level kept for priorities at or above each weight
        # (about a third of the runs protect nothing, as the default policy).
        self.levels = {weight: self.rng.choice([0, 0, 1, 2, 4]) for weight in (3, 6, 10)}

    def step(self) -> None:
        actions: list[Callable[[], None]] = [self.place, self.place, self.receive]
        if self.open:
            actions += [self.change, self.cancel, self.release, self.ship, self.short_pick]
        if self.stock.bump_requests:
            actions += [self.answer_bump, self.answer_bump]
        self.rng.choice(actions)()
        self.stock.allocate_all()

    def floor(self, priority: int) -> int:
        return max((level for weight, level in self.levels.items() if weight > priority), default=0)

    def bump_for(self, order_id: UUID) -> None:
        while (asked := self.stock.bump_candidate(order_id)) is not None:
            self.stock.request_bump(order_id, asked)

    def place(self) -> None:
        order_id, quantity = uuid4(), self.rng.randint(1, 8)
        deadline = NOW + timedelta(minutes=self.rng.randint(1, 600))
        priority = self.rng.randint(1, 15)
        self.stock.place(
            order_id,
            quantity,
            priority=priority,
            deadline=deadline,
            at=NOW,
            protection_floor=self.floor(priority),
        )
        self.ordered[order_id] = quantity
        self.open.append(order_id)
        self.bump_for(order_id)

    def answer_bump(self) -> None:
        """The asked order yields what it holds and has not released, or keeps it."""
        order_id = self.rng.choice(sorted(self.stock.bump_requests))
        request = self.stock.bump_requests[order_id]
        line = self.line(order_id)
        unreleased = line.reserved + line.shipped - self.released.get(order_id, 0)
        yielded = min(request.quantity, unreleased) if order_id in self.open else 0
        left = self.stock.answer_bump(order_id, request.for_order_id, max(yielded, 0))
        while (passed := self.stock.pass_on(order_id, left)) is not None:
            left -= passed[1]
        self.stock.allocate_all()
        # As settle_bump_when_order_answered does.
        self.bump_for(request.for_order_id)
        self.bump_for(order_id)
        if (asker := self.stock.bump_asker(order_id)) is not None:
            self.bump_for(asker)

    def release(self) -> None:
        """The order service sends reserved units to the warehouse, bumps asked or not."""
        order_id = self.rng.choice(self.open)
        line = self.line(order_id)
        if (quantity := line.reserved + line.shipped - self.released.get(order_id, 0)) > 0:
            self.released[order_id] = self.released.get(order_id, 0) + quantity
            self.releases[order_id] = self.releases.get(order_id, 0) + 1
            self.stock.commit(order_id, self.releases[order_id], quantity)

    def receive(self) -> None:
        self.stock.receive(self.rng.randint(1, 12))

    def line(self, order_id: UUID) -> OrderLine:
        line = self.stock.line(order_id)
        assert line is not None, "an order placed here has a line, open or settled"
        return line

    def change(self) -> None:
        # As the order service rules: an order can change until anything of it has shipped,
        # and not below what it released.
        unshipped = [o for o in self.open if self.line(o).shipped == 0]
        if not unshipped:
            return
        order_id = self.rng.choice(unshipped)
        line = self.line(order_id)
        quantity = self.rng.randint(self.released.get(order_id, 0), 10)
        self.stock.change(
            order_id,
            quantity,
            priority=line.priority,
            deadline=line.deadline,
            protection_floor=line.protection_floor,
        )
        self.ordered[order_id] = quantity
        self.bump_for(order_id)

    def cancel(self) -> None:
        order_id = self.open.pop(self.rng.randrange(len(self.open)))
        self.stock.release(order_id, self.rng.choice(["cancelled", "rejected"]))
        self.ordered[order_id] = self.line(order_id).shipped

    def ship(self) -> None:
        """The warehouse ships only what was released to it."""
        order_id = self.rng.choice(self.open)
        if (unshipped := self.released.get(order_id, 0) - self.line(order_id).shipped) > 0:
            self.stock.ship(uuid4(), order_id, self.rng.randint(1, unshipped))

    def short_pick(self) -> None:
        """The warehouse finds fewer units than were released to it: they are no longer
        released, and the order backorders them (asking bumps as a new line would) or
        (wait_complete) asks for that many fewer."""
        order_id = self.rng.choice(self.open)
        line = self.line(order_id)
        unshipped = min(self.released.get(order_id, 0) - line.shipped, line.reserved)
        if unshipped > 0:
            missing, backorder = self.rng.randint(1, unshipped), self.rng.random() < 0.5
            self.stock.short_pick(
                order_id, missing, shipment=(uuid4(), "picked"), backorder=backorder
            )
            self.released[order_id] -= missing
            if backorder:
                self.bump_for(order_id)
            else:
                self.ordered[order_id] -= missing


def check_invariants(run: Run) -> None:
    stock = run.stock
    assert 0 <= stock.reserved <= stock.on_hand
    assert stock.reserved == sum(line.reserved for line in stock.lines.values())
    for order_id, line in stock.lines.items():
        assert min(line.reserved, line.waiting, line.shipped) >= 0
        assert line.reserved + line.waiting + line.shipped <= run.ordered[order_id]
        if order_id in run.open:
            assert line.reserved + line.waiting + line.shipped == run.ordered[order_id]
    # A settled line holds nothing; an open order's settled line shipped all it still asks for.
    for order_id in run.ordered.keys() - stock.lines.keys():
        settled = run.line(order_id)
        assert settled.held == 0
        if order_id in run.open:
            assert settled.shipped == run.ordered[order_id]
    # What was released to the warehouse is still the order's: reserved, or shipped.
    for order_id, released in run.released.items():
        line = run.line(order_id)
        if order_id in run.open:
            assert line.reserved + line.shipped >= released
    # Free stock never idles while someone who may take it waits (above their floor).
    for order_id in stock.lines.keys() & run.open:
        line = stock.lines[order_id]
        if line.waiting:
            assert stock.available <= line.protection_floor
            # Nobody waits while an order it may bump holds unreleased units it did not ask.
            assert stock.bump_candidate(order_id) is None
    for asked, request in stock.bump_requests.items():
        asker, line = stock.line(request.for_order_id), stock.line(asked)
        assert asker is not None and line is not None and asker.may_bump(line)


@pytest.mark.parametrize("seed", range(RUNS))
def test_random_histories_never_oversell_or_over_hold(seed: int) -> None:
    run = Run(seed)

    for _ in range(STEPS):
        run.step()
        check_invariants(run)

    rehydrated = Stock.rehydrate(SKU, run.stock.collect_events())
    assert (rehydrated.lines, rehydrated.settled, rehydrated.bump_requests) == (
        run.stock.lines,
        run.stock.settled,
        run.stock.bump_requests,
    )


def a_random_history(seed: int) -> list[DomainEvent]:
    """The events of `STEPS` random steps of the run of `seed`."""
    run = Run(seed)
    for _ in range(STEPS):
        run.step()
    return run.stock.collect_events()


def test_the_random_histories_bump_and_keep_reservations() -> None:
    """The runs above are no proof unless protection, bumps and refusals happen in them."""
    seen: set[str] = set()
    for seed in range(20):
        seen |= {
            type(e).__name__
            for e in a_random_history(seed)
            if not isinstance(e, StockBumped) or e.quantity > 0
        }
    assert {"StockBumpRequested", "StockBumped", "StockBumpDeclined", "StockCommitted"} <= seen


@pytest.mark.parametrize("seed", range(50))
def test_every_receipt_serves_waiting_orders_in_priority_order(seed: int) -> None:
    run = Run(seed)
    for _ in range(STEPS):
        run.place() if run.rng.random() < 0.7 else run.receive()
        before = {key: (line.queue_key, line.waiting) for key, line in run.stock.lines.items()}
        events = run.stock.collect_events()
        run.stock.allocate_all()
        served = [e.order_id for e in run.stock.collect_events() if isinstance(e, StockReserved)]

        assert served == sorted(served, key=lambda order_id: before[order_id][0])
        skipped = [k for k, (_, waiting) in before.items() if waiting and k not in served]
        if served and skipped and any(isinstance(e, StockReceived) for e in events):
            assert max(before[k][0] for k in served) < min(before[k][0] for k in skipped)


@pytest.mark.parametrize("seed", range(30))
def test_the_totals_in_every_answer_are_the_lines_state_after_it(seed: int) -> None:
    history = a_random_history(seed)

    for count, event in enumerate(history, start=1):
        replay = Stock.rehydrate(SKU, history[:count])
        if isinstance(event, StockReserved | StockReleased | StockBumped):
            line = replay.line(event.order_id)
            assert line is not None
            assert (event.reserved_total, event.backordered_total) == (
                line.reserved + line.shipped,
                line.waiting,
            )


@pytest.mark.parametrize("seed", range(30))
def test_every_event_that_moves_the_stock_tells_the_level_after_it_and_no_other_does(
    seed: int,
) -> None:
    run, pull_id = Run(seed), uuid4()
    for step in range(STEPS):
        run.step()
        if step == STEPS // 3:
            run.stock.stop_sale(pull_id)
        elif step == 2 * STEPS // 3:
            run.stock.resume_sale(pull_id)
            run.stock.allocate_all()
    history = run.stock.collect_events()

    for count, event in enumerate(history, start=1):
        before = Stock.rehydrate(SKU, history[: count - 1]).level
        after = Stock.rehydrate(SKU, history[:count]).level
        if "level" in type(event).model_fields:
            assert getattr(event, "level", None) == after, event
        else:
            assert after == before, event
    assert {"StockSaleStopped", "StockSaleResumed"} <= {e.event_type() for e in history}


@pytest.mark.parametrize("seed", range(30))
def test_only_bumps_take_stock_below_an_orders_floor_and_never_released_units(seed: int) -> None:
    history = a_random_history(seed)

    freed = 0  # units the last bump freed and not yet passed on
    for count, event in enumerate(history):
        before = Stock.rehydrate(SKU, history[:count])
        if isinstance(event, StockReserved) and event.taken_from is None:
            line = before.lines[event.order_id]
            assert before.available - event.quantity >= line.protection_floor, event
        if isinstance(event, StockReserved) and event.taken_from is not None:
            # Only what the bump just freed: the shelf is no lower than before the bump.
            assert event.quantity <= freed, (event, freed)
            freed -= event.quantity
        else:
            freed = 0
        if isinstance(event, StockBumped):
            assert event.quantity <= before.lines[event.order_id].bumpable
            freed = event.quantity

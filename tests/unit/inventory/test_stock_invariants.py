"""Property-style checks: random place/receive/change/cancel/ship/short-pick runs on one SKU keep
the rules."""

import random
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from inventory_builders import NOW, SKU

from services.inventory.domain import OrderLine, Stock
from services.inventory.events import StockReceived, StockReleased, StockReserved

RUNS = 200
STEPS = 60


class Run:
    """One random history against one SKU, with what each order asked for."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.stock = Stock(SKU)
        self.ordered: dict[UUID, int] = {}
        self.open: list[UUID] = []

    def step(self) -> None:
        actions: list[Callable[[], None]] = [self.place, self.place, self.receive]
        if self.open:
            actions += [self.change, self.cancel, self.ship, self.short_pick]
        self.rng.choice(actions)()
        self.stock.allocate_all()

    def place(self) -> None:
        order_id, quantity = uuid4(), self.rng.randint(1, 8)
        deadline = NOW + timedelta(minutes=self.rng.randint(1, 600))
        priority = self.rng.randint(1, 15)
        self.stock.place(order_id, quantity, priority=priority, deadline=deadline, at=NOW)
        self.ordered[order_id] = quantity
        self.open.append(order_id)

    def receive(self) -> None:
        self.stock.receive(self.rng.randint(1, 12))

    def line(self, order_id: UUID) -> OrderLine:
        line = self.stock.line(order_id)
        assert line is not None, "an order placed here has a line, open or settled"
        return line

    def change(self) -> None:
        # As the order service rules: an order can change until anything of it has shipped.
        unshipped = [o for o in self.open if self.line(o).shipped == 0]
        if not unshipped:
            return
        order_id = self.rng.choice(unshipped)
        line = self.line(order_id)
        quantity = self.rng.randint(0, 10)
        self.stock.change(order_id, quantity, priority=line.priority, deadline=line.deadline)
        self.ordered[order_id] = quantity

    def cancel(self) -> None:
        order_id = self.open.pop(self.rng.randrange(len(self.open)))
        self.stock.release(order_id, self.rng.choice(["cancelled", "rejected"]))
        self.ordered[order_id] = self.line(order_id).shipped

    def ship(self) -> None:
        order_id = self.rng.choice(self.open)
        if (reserved := self.line(order_id).reserved) > 0:
            self.stock.ship(uuid4(), order_id, self.rng.randint(1, reserved))

    def short_pick(self) -> None:
        """The warehouse finds fewer reserved units than it picks: the order backorders them or
        (wait_complete) asks for that many fewer."""
        order_id = self.rng.choice(self.open)
        if (reserved := self.line(order_id).reserved) > 0:
            missing, backorder = self.rng.randint(1, reserved), self.rng.random() < 0.5
            self.stock.short_pick(
                order_id, missing, shipment=(uuid4(), "picked"), backorder=backorder
            )
            if not backorder:
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
    # Free stock never idles while someone waits (so nobody is both servable and waiting).
    assert stock.available == 0 or stock.backordered == 0


@pytest.mark.parametrize("seed", range(RUNS))
def test_random_histories_never_oversell_or_over_hold(seed: int) -> None:
    run = Run(seed)

    for _ in range(STEPS):
        run.step()
        check_invariants(run)

    rehydrated = Stock.rehydrate(SKU, run.stock.collect_events())
    assert (rehydrated.lines, rehydrated.settled) == (run.stock.lines, run.stock.settled)


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
    run = Run(seed)
    for _ in range(STEPS):
        run.step()
    history = run.stock.collect_events()

    for count, event in enumerate(history, start=1):
        replay = Stock.rehydrate(SKU, history[:count])
        if isinstance(event, StockReserved | StockReleased):
            line = replay.line(event.order_id)
            assert line is not None
            assert (event.reserved_total, event.backordered_total) == (
                line.reserved + line.shipped,
                line.waiting,
            )

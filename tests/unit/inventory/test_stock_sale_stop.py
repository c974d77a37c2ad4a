"""Andon stop-sale on a SKU: nothing new reserved, free stock blocked, resumed by priority."""

from uuid import UUID, uuid4

import pytest
from inventory_builders import SKU, level, place, published, stock_with
from test_stock_invariants import Run, check_invariants

from services.inventory.domain import Stock
from services.inventory.events import (
    ReorderSuggested,
    StockReserved,
    StockSaleResumed,
    StockSaleStopLifted,
    StockSaleStopped,
)


def test_a_stop_sale_blocks_the_free_stock_and_keeps_existing_reservations() -> None:
    stock = stock_with(10)
    order_id = place(stock, 3)
    stock.collect_events()
    pull_id = uuid4()

    stock.stop_sale(pull_id)

    assert stock.collect_events() == [
        StockSaleStopped(sku=SKU, pull_id=pull_id, blocked=7, level=level(10, 3, 0))
    ]
    assert (stock.on_hand, stock.reserved, stock.blocked, stock.available) == (10, 3, 7, 0)
    assert stock.lines[order_id].reserved == 3


def test_an_order_placed_during_a_stop_sale_is_backordered_not_reserved() -> None:
    stock = stock_with(10)
    stock.stop_sale(uuid4())
    stock.collect_events()

    order_id = place(stock, 2)

    assert published(stock) == ["StockBackordered"]
    assert (stock.lines[order_id].reserved, stock.lines[order_id].waiting) == (0, 2)


def test_a_receipt_during_a_stop_sale_goes_to_stock_but_serves_no_backorder() -> None:
    stock = stock_with(0)
    place(stock, 5)
    stock.stop_sale(uuid4())
    stock.collect_events()

    stock.receive(4)

    assert stock.allocate_all() == []
    assert (stock.on_hand, stock.blocked, stock.available, stock.backordered) == (4, 4, 0, 5)


def test_resuming_the_sale_serves_the_orders_that_waited_by_priority() -> None:
    stock = stock_with(0)
    regular_first = place(stock, 5, priority=1)
    pull_id = uuid4()
    stock.stop_sale(pull_id)
    strategic_later = place(stock, 3, priority=15)
    stock.receive(4)
    stock.collect_events()

    stock.resume_sale(pull_id)
    served = stock.allocate_all()

    # Its level is the moment of resumption, before the waiting orders are served.
    assert stock.collect_events()[0] == StockSaleResumed(
        sku=SKU, pull_id=pull_id, level=level(4, 0, 4)
    )
    assert served == [strategic_later, regular_first]
    assert (stock.lines[strategic_later].reserved, stock.lines[regular_first].reserved) == (3, 1)
    assert (stock.blocked, stock.available) == (0, 0)


def test_with_two_pulls_on_the_sku_the_sale_resumes_only_when_both_are_resolved() -> None:
    stock = stock_with(6)
    first, second = uuid4(), uuid4()
    stock.stop_sale(first)
    stock.stop_sale(second)
    stock.collect_events()

    stock.resume_sale(first)

    assert stock.collect_events() == [StockSaleStopLifted(sku=SKU, pull_id=first)]
    assert (stock.blocked, stock.available) == (6, 0)

    stock.resume_sale(second)

    assert stock.collect_events() == [
        StockSaleResumed(sku=SKU, pull_id=second, level=level(6, 0, 6))
    ]
    assert (stock.blocked, stock.available) == (0, 6)


def test_a_repeated_pull_or_resolution_and_a_pull_arriving_after_its_resolution_do_nothing() -> (
    None
):
    stock = stock_with(6)
    pull_id = uuid4()
    stock.stop_sale(pull_id)
    stock.stop_sale(pull_id)
    stock.resume_sale(pull_id)
    stock.resume_sale(pull_id)
    assert [type(e) for e in stock.collect_events()] == [StockSaleStopped, StockSaleResumed]

    stock.stop_sale(pull_id)

    assert stock.collect_events() == []
    assert stock.available == 6


def test_a_stop_sale_is_no_shortage_so_it_suggests_no_reorder() -> None:
    stock = stock_with(10, reorder_point=5)

    stock.stop_sale(uuid4())
    place(stock, 2)

    assert not [e for e in stock.collect_events() if isinstance(e, ReorderSuggested)]


def test_the_stop_sale_is_rebuilt_from_the_history() -> None:
    stock = Stock(SKU)
    stock.receive(5)
    stock.stop_sale(uuid4())

    replay = Stock.rehydrate(SKU, stock.collect_events())

    assert (replay.blocked, replay.available, replay.stops.stopped) == (5, 0, True)


class RunWithPulls(Run):
    """A random history in which andon pulls stop and resume the sale now and then."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.pulls: list[UUID] = []

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.08:
            self.pulls.append(pull_id := uuid4())
            self.stock.stop_sale(pull_id)
        elif roll < 0.16 and self.pulls:
            self.stock.resume_sale(self.pulls.pop(self.rng.randrange(len(self.pulls))))
            # As resume_sale_when_andon_resolved does: the bumps the stop held back are asked.
            self.stock.allocate_all()
            for order_id in self.stock.waiting_in_turn():
                self.bump_for(order_id)
        self.stock.collect_events()
        reserved_before = self.stock.reserved
        stopped = self.stock.stops.stopped
        super().step()
        if stopped and self.stock.stops.stopped:
            new = [e for e in self.stock.collect_events() if isinstance(e, StockReserved)]
            assert new == [] and self.stock.reserved <= reserved_before


@pytest.mark.parametrize("seed", range(100))
def test_random_histories_with_pulls_reserve_nothing_while_stopped_and_keep_the_rules(
    seed: int,
) -> None:
    run = RunWithPulls(seed)

    for _ in range(60):
        run.step()
        check_invariants(run)
        assert run.stock.available >= 0
        assert run.stock.blocked == (run.stock.free if run.pulls else 0)

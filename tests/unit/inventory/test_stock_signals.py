"""Signals to purchasing: reorder suggestions and demand spikes (schemas/flows.md, SPEC §2.7)."""

from datetime import timedelta

from inventory_builders import NOW, SKU, place, stock_with

from services.inventory.domain import (
    BASELINE_SPAN,
    RECENT_WINDOW,
    SPIKE_COOLDOWN,
    SPIKE_MIN_UNITS,
    DemandWindow,
    Stock,
)
from services.inventory.events import DemandSpikeDetected, ReorderSuggested


def signals(stock: Stock) -> list[ReorderSuggested | DemandSpikeDetected]:
    return [
        e for e in stock.collect_events() if isinstance(e, ReorderSuggested | DemandSpikeDetected)
    ]


def test_reorder_is_suggested_once_when_available_falls_below_the_reorder_point() -> None:
    stock = stock_with(10, reorder_point=5)

    place(stock, 4)
    place(stock, 2)
    place(stock, 1)

    assert signals(stock) == [ReorderSuggested(sku=SKU, available=4, reorder_point=5)]


def test_reorder_is_suggested_again_only_after_available_rose_to_the_point() -> None:
    stock = stock_with(10, reorder_point=5)
    place(stock, 6)
    stock.receive(1)
    place(stock, 1)
    stock.collect_events()

    stock.receive(3)
    place(stock, 4)

    assert signals(stock) == [ReorderSuggested(sku=SKU, available=3, reorder_point=5)]


def test_defining_a_reorder_point_suggests_nothing_until_demand_takes_stock_below_it() -> None:
    stock = stock_with(2)

    stock.set_reorder_point(5)
    defined = signals(stock)
    stock.receive(10)
    place(stock, 8)

    assert defined == []
    assert signals(stock) == [ReorderSuggested(sku=SKU, available=4, reorder_point=5)]


def test_a_reorder_point_of_zero_never_suggests() -> None:
    stock = stock_with(0)

    place(stock, 3)

    assert signals(stock) == []


def test_demand_far_above_the_baseline_is_a_spike() -> None:
    stock = stock_with(1000)
    place(stock, 2, at=NOW - timedelta(hours=12))

    for minute in range(SPIKE_MIN_UNITS):
        place(stock, 1, at=NOW + timedelta(seconds=minute))

    assert signals(stock) == [
        DemandSpikeDetected(sku=SKU, recent_units=SPIKE_MIN_UNITS, baseline_units=0.01)
    ]


def test_demand_below_the_minimum_is_no_spike_however_low_the_baseline() -> None:
    stock = stock_with(1000)

    place(stock, SPIKE_MIN_UNITS - 1)

    assert signals(stock) == []


def test_demand_within_five_times_a_busy_baseline_is_no_spike() -> None:
    stock = stock_with(100_000)
    per_window = 10
    windows = int(BASELINE_SPAN / RECENT_WINDOW)
    for window in range(1, windows + 1):
        place(stock, per_window, at=NOW - window * RECENT_WINDOW)
    stock.collect_events()

    place(stock, 5 * per_window)

    assert signals(stock) == []


def test_a_spike_is_reported_at_most_once_per_cooldown() -> None:
    stock = stock_with(1000)
    place(stock, 25)
    place(stock, 25, at=NOW + SPIKE_COOLDOWN / 2)
    assert len(signals(stock)) == 1

    place(stock, 200, at=NOW + SPIKE_COOLDOWN)

    assert [type(s) for s in signals(stock)] == [DemandSpikeDetected]


def test_the_demand_window_is_rebuilt_from_the_events_alone() -> None:
    stock = Stock(SKU)
    stock.receive(1000)
    place(stock, 25)
    history = stock.collect_events()

    again = Stock.rehydrate(SKU, history)
    place(again, 25, at=NOW + timedelta(minutes=1))

    assert signals(again) == []


def test_the_demand_window_stays_bounded_and_its_totals_match_the_requests_in_it() -> None:
    window = DemandWindow()
    requests = [(NOW + timedelta(seconds=7 * n), 1 + n % 3) for n in range(40_000)]  # 3.2 days

    for at, units in requests:
        window.record(at, units)

    latest = requests[-1][0]
    recent_from = latest - RECENT_WINDOW
    assert window.recent_units == sum(u for at, u in requests if at > recent_from)
    in_baseline = [u for at, u in requests if recent_from - BASELINE_SPAN < at <= recent_from]
    # The baseline's far edge is kept to the minute: at most one minute of requests differs.
    assert abs(window.baseline_units - sum(in_baseline)) <= 3 * 60 // 7 + 3
    assert len(window.recent) <= 600 and len(window.baseline) <= 1_450

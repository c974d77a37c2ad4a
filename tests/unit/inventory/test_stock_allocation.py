"""Stock aggregate when stock is scarce: protection floors and bumps of unreleased reservations."""

from uuid import UUID, uuid4

from inventory_builders import SKU, place, published, stock_with

from services.inventory.domain import Stock
from services.inventory.events import (
    StockBackordered,
    StockBumped,
    StockBumpRequested,
    StockLevel,
    StockReserved,
)

REGULAR, STRATEGIC = 1, 9
# The default policy protects nothing; with a protection level, lower orders leave 2 units.
PROTECTED = 2


def regular_then_strategic() -> tuple[Stock, UUID, UUID]:
    """4 units: a regular order takes the 2 above its floor, a strategic one the other 2 and
    waits for 2 more."""
    stock = stock_with(4)
    regular = place(stock, 2, priority=REGULAR, protection_floor=PROTECTED)
    strategic = place(stock, 4, priority=STRATEGIC)
    return stock, regular, strategic


def served(stock: Stock) -> list[tuple[UUID, int, UUID | None]]:
    return [
        (e.order_id, e.quantity, e.taken_from)
        for e in stock.collect_events()
        if isinstance(e, StockReserved)
    ]


def bump_all(stock: Stock, order_id: UUID) -> list[UUID]:
    """What the inventory's handlers do after a line backorders: ask until nobody is left."""
    asked = []
    while (victim := stock.bump_candidate(order_id)) is not None:
        stock.request_bump(order_id, victim)
        asked.append(victim)
    return asked


def yield_to(stock: Stock, victim: UUID, asker: UUID, quantity: int) -> None:
    """The asked order yields; the units go to those who may bump it, then to the backorders."""
    left = stock.answer_bump(victim, asker, quantity)
    while (passed := stock.pass_on(victim, left)) is not None:
        left -= passed[1]
    stock.allocate_all()


def test_an_order_below_the_protected_priority_takes_stock_only_down_to_its_floor() -> None:
    stock = stock_with(5)

    regular = place(stock, 4, priority=REGULAR, protection_floor=PROTECTED)

    assert served(stock) == [(regular, 3, None)]
    assert (stock.available, stock.backordered) == (2, 1)


def test_at_the_floor_a_lower_order_is_backordered_whole_and_a_protected_one_served() -> None:
    stock = stock_with(2)

    regular = place(stock, 2, priority=REGULAR, protection_floor=PROTECTED)
    strategic = place(stock, 2, priority=STRATEGIC)

    events = stock.collect_events()
    assert [(type(e), e.order_id) for e in events if isinstance(e, StockReserved)] == [
        (StockReserved, strategic)
    ]
    assert [e.order_id for e in events if isinstance(e, StockBackordered)] == [regular]
    assert (stock.available, stock.lines[regular].waiting) == (0, 2)


def test_a_receipt_serves_a_protected_backorder_only_above_its_floor() -> None:
    stock = stock_with(0)
    regular = place(stock, 3, priority=REGULAR, protection_floor=PROTECTED)
    stock.collect_events()

    stock.receive(4)
    stock.allocate_all()

    assert served(stock) == [(regular, 2, None)]
    # Free stock stays on the shelf for protected orders while only the regular one waits.
    assert (stock.available, stock.lines[regular].waiting) == (2, 1)


def test_without_protection_levels_stock_goes_as_before_and_nobody_is_asked() -> None:
    stock = stock_with(2)
    regular = place(stock, 2, priority=REGULAR)

    strategic = place(stock, 2, priority=STRATEGIC)

    assert bump_all(stock, strategic) == []
    assert served(stock) == [(regular, 2, None)]
    assert stock.lines[strategic].waiting == 2


def test_a_protected_order_asks_for_a_lower_orders_unreleased_reservation() -> None:
    stock, regular, strategic = regular_then_strategic()
    stock.collect_events()

    assert bump_all(stock, strategic) == [regular]

    [request] = stock.collect_events()
    assert request == StockBumpRequested(
        order_id=regular, sku=SKU, quantity=2, for_order_id=strategic, priority=STRATEGIC
    )
    # Asked, not taken: the units stay the regular order's until its order service answers.
    assert (stock.lines[regular].reserved, stock.lines[strategic].waiting) == (2, 2)


def test_yielded_units_go_to_the_order_that_asked_and_the_bumped_order_waits_again() -> None:
    stock, regular, strategic = regular_then_strategic()
    bump_all(stock, strategic)
    stock.collect_events()

    yield_to(stock, regular, strategic, 2)

    events = stock.collect_events()
    assert [e for e in events if isinstance(e, StockBumped)] == [
        StockBumped(
            order_id=regular,
            sku=SKU,
            quantity=2,
            by_order_id=strategic,
            reserved_total=0,
            backordered_total=2,
            level=StockLevel(on_hand=4, reserved=2, available=2),
        )
    ]
    assert [e for e in events if isinstance(e, StockReserved)] == [
        StockReserved(
            order_id=strategic,
            sku=SKU,
            quantity=2,
            reserved_total=4,
            backordered_total=0,
            level=StockLevel(on_hand=4, reserved=4, available=0),
            taken_from=regular,
        )
    ]
    assert (stock.lines[strategic].reserved, stock.lines[regular].waiting) == (4, 2)
    assert (stock.reserved, stock.available, stock.bump_requests) == (4, 0, {})


def test_units_released_to_the_warehouse_are_never_asked_for() -> None:
    stock = stock_with(4)
    regular = place(stock, 2, priority=REGULAR, protection_floor=PROTECTED)
    stock.commit(regular, release_no=1, quantity=2)
    strategic = place(stock, 4, priority=STRATEGIC)

    assert bump_all(stock, strategic) == []
    assert published(stock) == ["StockReserved", "StockReserved", "StockBackordered"]


def test_a_release_is_noted_once_and_only_where_a_bump_could_come() -> None:
    stock = stock_with(10)
    unprotected = place(stock, 2, priority=REGULAR)
    regular = place(stock, 3, priority=REGULAR, protection_floor=PROTECTED)
    stock.collect_events()

    stock.commit(unprotected, release_no=1, quantity=2)
    stock.commit(regular, release_no=1, quantity=2)
    stock.commit(regular, release_no=1, quantity=2)

    assert [e.event_type() for e in stock.collect_events()] == ["StockCommitted"]
    assert (stock.lines[regular].committed, stock.lines[regular].bumpable) == (2, 1)


def test_when_the_order_kept_its_units_the_next_lower_order_is_asked() -> None:
    stock = stock_with(6)
    first = place(stock, 2, priority=REGULAR, protection_floor=PROTECTED)
    second = place(stock, 2, priority=REGULAR + 1, protection_floor=PROTECTED)
    strategic = place(stock, 4, priority=STRATEGIC)
    assert bump_all(stock, strategic) == [first]  # the lowest priority is asked first
    stock.collect_events()

    assert stock.answer_bump(first, strategic, 0) == 0  # released meanwhile: it keeps them
    assert bump_all(stock, strategic) == [second]

    assert [e.event_type() for e in stock.collect_events()] == [
        "StockBumpDeclined",
        "StockBumpRequested",
    ]
    # `first` is no longer asked: the request was settled (the order's release will say so).
    assert set(stock.bump_requests) == {second}


def test_an_order_is_asked_once_at_a_time_and_only_for_what_is_still_lacking() -> None:
    stock = stock_with(6)
    regular = place(stock, 4, priority=REGULAR, protection_floor=PROTECTED)
    strategic = place(stock, 3, priority=STRATEGIC)
    vip = place(stock, 3, priority=STRATEGIC - 1)
    stock.collect_events()

    assert bump_all(stock, strategic) == [regular]
    assert bump_all(stock, strategic) == []
    assert bump_all(stock, vip) == []  # the only order it could ask is asked already

    [request] = stock.collect_events()
    assert isinstance(request, StockBumpRequested)
    assert (request.quantity, stock.lines[strategic].waiting) == (1, 1)


def test_a_yield_of_units_a_change_freed_first_is_still_acknowledged() -> None:
    stock, regular, strategic = regular_then_strategic()
    bump_all(stock, strategic)
    stock.change(regular, 0, priority=REGULAR, deadline=stock.lines[regular].deadline)
    stock.allocate_all()  # the freed units went to the strategic order already
    stock.collect_events()

    yield_to(stock, regular, strategic, 2)

    [bumped] = stock.collect_events()
    assert bumped == StockBumped(
        order_id=regular,
        sku=SKU,
        quantity=0,
        by_order_id=strategic,
        reserved_total=0,
        backordered_total=0,
        level=stock.level,
    )
    assert (stock.lines[strategic].reserved, stock.bump_requests) == (4, {})


def test_no_bump_is_asked_while_a_stop_sale_holds_and_yielded_units_stay_blocked() -> None:
    stock, regular, strategic = regular_then_strategic()
    bump_all(stock, strategic)
    stock.stop_sale(uuid4())

    assert stock.bump_candidate(strategic) is None
    yield_to(stock, regular, strategic, 2)

    assert (stock.lines[strategic].reserved, stock.blocked, stock.reserved) == (2, 2, 2)


def test_an_order_of_lower_priority_never_asks_a_higher_one() -> None:
    stock = stock_with(7)
    # Placed under an older policy with a high level: a higher floor, yet a higher priority.
    vip = place(stock, 2, priority=STRATEGIC - 1, protection_floor=5)
    regular = place(stock, 6, priority=REGULAR)

    assert stock.lines[vip].bumpable == 2 and stock.lines[regular].waiting == 1
    assert bump_all(stock, regular) == []

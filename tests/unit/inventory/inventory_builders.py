"""Test data for the inventory tests: stock in a given state, placed orders, fixed times."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from services.inventory.domain import Stock
from services.inventory.events import StockLevel

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
SKU = "RETRO-CLOCK"


def stock_with(on_hand: int = 0, *, sku: str = SKU, reorder_point: int = 0) -> Stock:
    """Stock that has received `on_hand` units, with its setup events already collected."""
    stock = Stock(sku)
    stock.set_reorder_point(reorder_point)
    if on_hand:
        stock.receive(on_hand)
    stock.collect_events()
    return stock


def place(
    stock: Stock,
    quantity: int,
    *,
    priority: int = 1,
    deadline_in: timedelta = timedelta(hours=4),
    at: datetime = NOW,
    order_id: UUID | None = None,
    protection_floor: int = 0,
) -> UUID:
    order_id = order_id or uuid4()
    stock.place(
        order_id,
        quantity,
        priority=priority,
        deadline=at + deadline_in,
        at=at,
        protection_floor=protection_floor,
    )
    return order_id


def published(stock: Stock) -> list[str]:
    """The types of the pending events, internal ones left out."""
    internal = {
        "StockRequested",
        "StockRequestIncreased",
        "ReorderPointSet",
        "StockBumpDeclined",
        "StockCommitted",
    }
    return [e.event_type() for e in stock.collect_events() if e.event_type() not in internal]


def level(on_hand: int, reserved: int, available: int) -> StockLevel:
    return StockLevel(on_hand=on_hand, reserved=reserved, available=available)

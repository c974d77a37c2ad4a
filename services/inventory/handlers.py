"""Inventory use cases."""

from services.inventory import inbound
from services.inventory.domain import Stock
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def _stock(uow: UnitOfWork, sku: str) -> Stock:
    stock = await uow.get(Stock, sku)
    if stock is None:
        stock = Stock(sku)
        uow.add(stock)
    return stock


async def receive_stock(sku: str, quantity: int, uow: UnitOfWork) -> None:
    async with uow:
        (await _stock(uow, sku)).receive(quantity)
        await uow.commit()


async def reserve_stock_when_order_placed(
    event: inbound.OrderPlaced, _: Envelope, uow: UnitOfWork
) -> None:
    # Sorted so that two orders for the same SKUs always take their streams in the same order.
    for line in sorted(event.lines, key=lambda line: line.sku):
        (await _stock(uow, line.sku)).reserve(event.order_id, line.quantity)

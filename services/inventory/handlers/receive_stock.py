"""Ops record goods received: on hand grows, then waiting backorders are served by priority."""

from services.inventory.commands import ReceiveStock
from services.inventory.handlers.stock import allocate_freed_stock, stock_for
from shared.unit_of_work import UnitOfWork


async def receive_stock(cmd: ReceiveStock, uow: UnitOfWork) -> None:
    async with uow:
        stock = await stock_for(uow, cmd.sku)
        stock.receive(cmd.quantity)
        await allocate_freed_stock(uow, stock)
        await uow.commit()

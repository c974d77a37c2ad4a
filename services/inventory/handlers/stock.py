"""Loading stock, handing freed stock to backorders and asking for bumps, shared by the use
cases."""

from uuid import UUID

from services.inventory.domain import Stock
from shared import context
from shared.unit_of_work import UnitOfWork


async def stock_for(uow: UnitOfWork, sku: str) -> Stock:
    """The SKU's stock; a SKU never seen before starts empty (it needs no catalogue entry)."""
    return await uow.get_or_create(Stock, sku)


async def allocate_freed_stock(uow: UnitOfWork, stock: Stock) -> None:
    """Serve waiting backorders from the stock's free units, by priority.

    Each allocation is flushed under its own order's flow: the envelope's correlation id is the
    topic key, and every event of one order must share it to keep its order on the topic.
    """
    await uow.flush()
    causation = context.causation_id.get()
    while (order_id := stock.allocate_next()) is not None:
        with context.flow(order_id, causation):
            await uow.flush()


async def request_bumps(uow: UnitOfWork, stock: Stock, order_id: UUID) -> None:
    """Ask lower-priority orders for what the waiting line still lacks (flows.md).

    Each request goes out in the flow of the order asked: its order service answers on that
    order's stream, after everything inventory told it before about that order.
    """
    causation = context.causation_id.get()
    while (asked := stock.bump_candidate(order_id)) is not None:
        await uow.flush()
        with context.flow(asked, causation):
            stock.request_bump(order_id, asked)
            await uow.flush()

"""A customer return's goods came in: restocked units go on hand and serve waiting backorders,
quarantined ones are kept apart."""

from services.inventory import inbound
from services.inventory.handlers.stock import allocate_freed_stock, stock_for
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def take_back_stock_when_return_received(
    event: inbound.ReturnReceived, _: Envelope, uow: UnitOfWork
) -> None:
    for sku, (restock, quarantine) in event.units().items():
        stock = await stock_for(uow, sku)
        stock.take_back(event.return_id, event.order_id, restock=restock, quarantine=quarantine)
        await allocate_freed_stock(uow, stock)

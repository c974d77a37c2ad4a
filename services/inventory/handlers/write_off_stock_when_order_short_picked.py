"""A short pick: the units the warehouse did not find are written off, and the order's line
asks for them again (from free stock, else from lower-priority orders' unreleased reservations
where it may) or lets them go, as the order decided."""

from services.inventory import inbound
from services.inventory.handlers.stock import request_bumps, stock_for
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def write_off_stock_when_order_short_picked(
    event: inbound.OrderShortPicked, _: Envelope, uow: UnitOfWork
) -> None:
    shipment = (event.shipment_id, event.step)
    for sku, quantity in inbound.quantities_by_sku(event.lines).items():
        stock = await stock_for(uow, sku)
        stock.short_pick(event.order_id, quantity, shipment=shipment, backorder=event.backordered)
        if event.backordered:
            await request_bumps(uow, stock, event.order_id)

"""Goods left the warehouse: on hand and the order's reservation drop together."""

from services.inventory import inbound
from services.inventory.handlers.stock import stock_for
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def ship_stock_when_shipment_shipped(
    event: inbound.ShipmentShipped, _: Envelope, uow: UnitOfWork
) -> None:
    for sku, quantity in inbound.quantities_by_sku(event.lines).items():
        (await stock_for(uow, sku)).ship(event.shipment_id, event.order_id, quantity)

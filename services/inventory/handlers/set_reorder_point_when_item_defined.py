"""The catalogue defined an item: the inventory learns its reorder point."""

from services.inventory import inbound
from services.inventory.handlers.stock import stock_for
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def set_reorder_point_when_item_defined(
    event: inbound.ItemDefined, _: Envelope, uow: UnitOfWork
) -> None:
    (await stock_for(uow, event.sku)).set_reorder_point(event.reorder_point)

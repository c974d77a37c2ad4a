"""An order released to the warehouse: no higher-priority order may take those units now."""

from services.inventory import inbound
from services.inventory.handlers.stock import stock_for
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def commit_stock_when_order_released(
    event: inbound.OrderReleased, _: Envelope, uow: UnitOfWork
) -> None:
    # Without a protection floor no order may bump this one: nothing to note.
    if event.protection_floor == 0:
        return
    for sku, quantity in inbound.quantities_by_sku(event.lines).items():
        (await stock_for(uow, sku)).commit(event.order_id, event.release_no, quantity)

"""An andon pulled on a SKU stops its sale: no new reservations, its free stock blocked."""

from services.inventory import inbound
from services.inventory.handlers.stock import stock_for
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork

SKU_TARGET = "sku"


async def stop_sale_when_andon_pulled(
    event: inbound.AndonEvent, _: Envelope, uow: UnitOfWork
) -> None:
    if event.target_kind == SKU_TARGET:
        (await stock_for(uow, event.target_id)).stop_sale(event.pull_id)

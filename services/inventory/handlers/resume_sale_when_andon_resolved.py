"""A resolved SKU andon lifts its stop-sale; waiting backorders get the stock by priority and
ask for the bumps the stop held back."""

from services.inventory import inbound
from services.inventory.handlers.stock import allocate_freed_stock, request_bumps, stock_for
from services.inventory.handlers.stop_sale_when_andon_pulled import SKU_TARGET
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def resume_sale_when_andon_resolved(
    event: inbound.AndonEvent, _: Envelope, uow: UnitOfWork
) -> None:
    if event.target_kind == SKU_TARGET:
        stock = await stock_for(uow, event.target_id)
        stock.resume_sale(event.pull_id)
        await allocate_freed_stock(uow, stock)
        for order_id in stock.waiting_in_turn():
            await request_bumps(uow, stock, order_id)

"""The asked order answered a bump: what it yielded goes to the waiting orders that may bump it
(the one that asked, or one before it in turn), the rest to the backorders by priority. Then
whoever may ask again does: the order that asked, if it still lacks units; the bumped order,
waiting again; and the first waiting order that may ask the one just answered for what it
still holds unreleased."""

from services.inventory import inbound
from services.inventory.handlers.stock import allocate_freed_stock, request_bumps, stock_for
from shared import context
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork

YIELDED = "ReservationYielded"


async def settle_bump_when_order_answered(
    event: inbound.BumpAnswer, envelope: Envelope, uow: UnitOfWork
) -> None:
    stock = await stock_for(uow, event.sku)
    yielded = event.quantity if envelope.event_type == YIELDED else 0
    left = stock.answer_bump(event.order_id, event.to_order_id, yielded)
    await uow.flush()
    causation = context.causation_id.get()
    while (passed := stock.pass_on(event.order_id, left)) is not None:
        order_id, taken = passed
        left -= taken
        with context.flow(order_id, causation):
            await uow.flush()
    await allocate_freed_stock(uow, stock)
    await request_bumps(uow, stock, event.to_order_id)
    await request_bumps(uow, stock, event.order_id)
    if (asker := stock.bump_asker(event.order_id)) is not None:
        await request_bumps(uow, stock, asker)

"""What channels and staff do to an order after intake: confirm, change, cancel."""

from datetime import datetime
from uuid import UUID

from services.order.commands import CancelOrder, ChangeOrder, ConfirmOrder
from services.order.domain import Order
from services.order.handlers.loading import catalog_items, order_of, priced, unknown_skus
from services.order.views import queries
from shared.commands import run_command
from shared.errors import InvalidRequestError
from shared.runtime import ServiceRuntime
from shared.unit_of_work import UnitOfWork


async def confirm_order(cmd: ConfirmOrder, uow: UnitOfWork) -> str:
    async with uow:
        order = await order_of(uow, cmd.order_id, cmd.channel)
        order.confirm()
        await uow.commit()
    return order.status


async def change_order(cmd: ChangeOrder, uow: UnitOfWork) -> str:
    async with uow:
        order = await order_of(uow, cmd.order_id, cmd.channel)
        lines = None
        if cmd.lines is not None:
            items = await catalog_items(uow, [line.sku for line in cmd.lines])
            if errors := unknown_skus(cmd.lines, items):
                raise InvalidRequestError("the change names unknown SKUs", errors=errors)
            lines = priced(cmd.lines, items, keep=order.state.lines)
        order.change(lines, cmd.ship_to)
        await uow.commit()
    return order.status


async def cancel_order(cmd: CancelOrder, uow: UnitOfWork) -> str:
    async with uow:
        order = await order_of(uow, cmd.order_id, cmd.channel)
        order.cancel(cmd.reason)
        await uow.commit()
    return order.status


async def expire_confirmation(order_id: UUID, uow: UnitOfWork, now: datetime) -> None:
    async with uow:
        order = await uow.get(Order, str(order_id))
        if order is not None:
            order.expire_confirmation(now)
        await uow.commit()


async def cancel_unconfirmed(runtime: ServiceRuntime) -> None:
    """Schedule: orders held for confirmation past their confirm-by time are cancelled."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as conn:
        overdue = await queries.awaiting_confirmation_before(conn, now)
    for order_id in overdue:
        await run_command(expire_confirmation, UUID(order_id), runtime.unit_of_work(), now)

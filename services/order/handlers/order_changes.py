"""What channels and staff do to an order after intake: confirm, change, cancel."""

from datetime import timedelta

from services.order.commands import CancelOrder, ChangeOrder, ConfirmOrder, ExpireConfirmations
from services.order.domain import POLICY_ID, Order, ServicePolicy, unusual_order
from services.order.handlers.loading import catalog_items, order_of, priced, unknown_skus
from services.order.views import queries
from shared import context
from shared.errors import InvalidRequestError
from shared.unit_of_work import UnitOfWork


async def confirm_order(cmd: ConfirmOrder, uow: UnitOfWork) -> str:
    async with uow:
        order = await order_of(uow, cmd.order_id, cmd.channel)
        order.confirm()
        await uow.commit()
    return order.status


async def change_order(cmd: ChangeOrder, uow: UnitOfWork) -> str:
    """A change of lines runs the pattern check again, on the order as it will be."""
    async with uow:
        order = await order_of(uow, cmd.order_id, cmd.channel)
        lines, unusual, confirm_by = None, None, None
        if cmd.lines is not None:
            items = await catalog_items(uow, [line.sku for line in cmd.lines])
            if errors := unknown_skus(cmd.lines, items):
                raise InvalidRequestError("the change names unknown SKUs", errors=errors)
            lines = priced(cmd.lines, items, keep=order.state.lines)
            check = (await uow.get(ServicePolicy, POLICY_ID) or ServicePolicy()).current
            placed = order.state.placed
            assert placed is not None  # order_of found a placed order
            history = await queries.customer_history(
                uow.conn, placed.customer_id, [line.sku for line in lines], besides=order.id
            )
            unusual = unusual_order(history, lines, check.pattern_check)
            timeout = timedelta(minutes=check.pattern_check.confirmation_timeout_minutes)
            confirm_by = uow.now() + timeout
        order.change(lines, cmd.ship_to, unusual=unusual, confirm_by=confirm_by)
        await uow.commit()
    return order.status


async def cancel_order(cmd: CancelOrder, uow: UnitOfWork) -> str:
    async with uow:
        order = await order_of(uow, cmd.order_id, cmd.channel)
        order.cancel(cmd.reason)
        await uow.commit()
    return order.status


async def expire_confirmations(_: ExpireConfirmations, uow: UnitOfWork) -> None:
    """Orders held for confirmation past their confirm-by time are cancelled (a bounded batch
    per run; the domain guard makes a repeat a no-op)."""
    now = uow.now()
    async with uow:
        for order_id in await queries.awaiting_confirmation_before(uow.conn, now):
            if (order := await uow.get(Order, order_id)) is not None:
                with context.flow(order.order_id):
                    order.expire_confirmation(now)
                    await uow.flush()
        await uow.commit()

"""Returns: units of a shipped order sent back (the andon service counts them as defects)."""

from services.order.commands import RecordReturn
from services.order.events import ReturnRecorded, ShippedLine
from services.order.handlers.loading import order_of
from shared.unit_of_work import UnitOfWork


async def record_return(cmd: RecordReturn, uow: UnitOfWork) -> ReturnRecorded:
    async with uow:
        order = await order_of(uow, cmd.order_id, cmd.channel)
        lines = [ShippedLine(sku=line.sku, quantity=line.quantity) for line in cmd.lines]
        recorded = order.record_return(lines, cmd.reason)
        await uow.commit()
    return recorded

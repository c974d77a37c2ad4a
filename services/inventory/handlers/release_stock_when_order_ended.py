"""A cancelled or rejected order gives back all it holds; freed units go to backorders."""

from typing import Literal

from services.inventory import inbound, lookups
from services.inventory.handlers.stock import allocate_freed_stock, stock_for
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork

_REASONS: dict[str, Literal["cancelled", "rejected"]] = {
    "OrderCancelled": "cancelled",
    "OrderRejected": "rejected",
}


async def release_stock_when_order_ended(
    event: inbound.OrderEnded, envelope: Envelope, uow: UnitOfWork
) -> None:
    reason = _REASONS[envelope.event_type]
    # Sorted here, not by SQL collation: every use case takes SKU streams in one Python order.
    for sku in sorted(await lookups.order_skus(uow.conn, event.order_id)):
        stock = await stock_for(uow, sku)
        stock.release(event.order_id, reason)
        await allocate_freed_stock(uow, stock)

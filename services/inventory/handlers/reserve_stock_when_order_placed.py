"""A new order: each line reserves what is available above its protection floor, backorders
the rest and asks lower-priority orders' unreleased reservations for it where it may."""

from datetime import UTC

from services.inventory import inbound
from services.inventory.handlers.stock import request_bumps, stock_for
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def reserve_stock_when_order_placed(
    event: inbound.OrderPlaced, envelope: Envelope, uow: UnitOfWork
) -> None:
    placed_at = envelope.occurred_at.astimezone(UTC)
    deadline = (event.deadline or placed_at).astimezone(UTC)
    for sku, quantity in inbound.quantities_by_sku(event.lines).items():
        stock = await stock_for(uow, sku)
        stock.place(
            event.order_id,
            quantity,
            priority=event.priority,
            deadline=deadline,
            at=placed_at,
            protection_floor=event.protection_floor,
        )
        await request_bumps(uow, stock, event.order_id)

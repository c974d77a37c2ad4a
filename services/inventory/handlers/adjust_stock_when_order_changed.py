"""A changed order: each changed line holds its new quantity; freed units go to backorders."""

from datetime import UTC

from services.inventory import inbound, lookups
from services.inventory.handlers.stock import allocate_freed_stock, request_bumps, stock_for
from shared.envelope import Envelope, parse_time
from shared.unit_of_work import UnitOfWork


async def adjust_stock_when_order_changed(
    event: inbound.OrderChanged, envelope: Envelope, uow: UnitOfWork
) -> None:
    # A line added by the change waits with the order's own terms, as its other lines do.
    terms = await lookups.order_terms(uow.conn, event.order_id)
    priority, deadline = (
        (terms[0], parse_time(terms[1])) if terms else (1, envelope.occurred_at.astimezone(UTC))
    )
    # The new line quantities, not the deltas: setting a quantity twice is naturally a no-op.
    new_quantities = inbound.quantities_by_sku(event.lines)
    for sku in sorted({change.sku for change in event.changes}):
        stock = await stock_for(uow, sku)
        stock.change(
            event.order_id,
            new_quantities.get(sku, 0),
            priority=priority,
            deadline=deadline,
            protection_floor=event.protection_floor,
        )
        await allocate_freed_stock(uow, stock)
        await request_bumps(uow, stock, event.order_id)

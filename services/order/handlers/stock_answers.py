"""Reactions to the inventory department's answers, and to the stock levels it tells."""

from services.order import inbound
from services.order.handlers.credit_answers import reply_to
from services.order.handlers.loading import order_answered
from services.order.lookups import stock
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def note_stock_when_stock_changed(
    event: inbound.StockChanged, envelope: Envelope, uow: UnitOfWork
) -> None:
    if event.level is not None:
        # The inventory's stream of a SKU is the SKU's: its version orders the levels told.
        stock.note_stock(uow.conn, event.sku, event.level, envelope.aggregate_version)


async def release_order_when_stock_reserved(
    event: inbound.StockReserved, envelope: Envelope, uow: UnitOfWork
) -> None:
    await note_stock_when_stock_changed(event, envelope, uow)
    order = await order_answered(uow, event.order_id)
    order.record_stock_reserved(
        reply_to(envelope),
        event.sku,
        event.quantity,
        event.reserved_total,
        taken_from=event.taken_from,
    )


async def hold_order_when_stock_backordered(
    event: inbound.StockBackordered, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    order.record_stock_backordered(reply_to(envelope), event.sku, event.quantity)


async def record_release_when_stock_released(
    event: inbound.StockReleased, envelope: Envelope, uow: UnitOfWork
) -> None:
    await note_stock_when_stock_changed(event, envelope, uow)
    order = await order_answered(uow, event.order_id)
    order.record_stock_released(
        reply_to(envelope),
        event.sku,
        event.quantity,
        event.reason,
        totals=(event.reserved_total, event.backordered_total),
    )


async def answer_bump_when_stock_bump_requested(
    event: inbound.StockBumpRequested, _: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    order.answer_bump(
        event.sku, event.quantity, for_order_id=event.for_order_id, priority=event.priority
    )


async def resume_order_when_stock_bumped(
    event: inbound.StockBumped, envelope: Envelope, uow: UnitOfWork
) -> None:
    await note_stock_when_stock_changed(event, envelope, uow)
    order = await order_answered(uow, event.order_id)
    order.record_stock_bumped(
        reply_to(envelope),
        event.sku,
        event.quantity,
        by_order_id=event.by_order_id,
        totals=(event.reserved_total, event.backordered_total),
    )

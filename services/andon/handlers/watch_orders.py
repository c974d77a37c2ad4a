"""The watchdog follows every order through the facts the other services publish about it."""

from services.andon import inbound
from services.andon.domain.order_facts import Stock
from services.andon.handlers.cord import hold_if_stopped, watch_of
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork

CREDIT_ANSWERS = {
    "CreditApproved": "approved",
    "CreditReviewRequired": "review",
    "CreditDeclined": "declined",
}
OUTCOMES = {
    "OrderCancelled": "cancelled",
    "OrderRejected": "rejected",
    "OrderCompleted": "completed",
}
# Holds the watch derives itself (credit review, backorder) or places itself (andon).
DERIVED_HOLDS = frozenset({"andon", "credit_review", "backorder"})


async def watch_order_when_order_placed(
    event: inbound.OrderPlaced, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    watch.place(
        customer_id=event.customer_id,
        lines=_quantities(event.lines),
        deadline=event.deadline,
        backorder_rule=event.backorder_rule,
        at=envelope.occurred_at,
        total_cents=event.total_cents,
    )
    await hold_if_stopped(uow, watch, now=envelope.occurred_at)


async def follow_change_when_order_changed(
    event: inbound.OrderChanged, envelope: Envelope, uow: UnitOfWork
) -> None:
    if not event.changes:
        return  # an address-only change re-runs no check
    increased = tuple(c.sku for c in event.changes if c.quantity_delta > 0)
    watch = await watch_of(uow, str(event.order_id))
    watch.change(
        lines=_quantities(event.lines),
        increased=increased,
        at=envelope.occurred_at,
        total_cents=event.total_cents,
    )
    watch.follow_terms(
        deadline=event.deadline or watch.deadline,
        backorder_rule=event.backorder_rule or watch.backorder_rule,
        at=envelope.occurred_at,
    )


async def move_deadline_when_order_deadline_changed(
    event: inbound.OrderDeadlineChanged, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    watch.follow_terms(
        deadline=event.deadline, backorder_rule=watch.backorder_rule, at=envelope.occurred_at
    )


async def record_release_when_order_released(
    event: inbound.OrderReleased, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    watch.release_observed(event.release_no, at=envelope.occurred_at)


async def end_watch_when_order_ended(
    event: inbound.OrderEnded, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    watch.end(OUTCOMES[envelope.event_type], at=envelope.occurred_at)


async def note_hold_when_order_held(
    event: inbound.OrderHold, envelope: Envelope, uow: UnitOfWork
) -> None:
    if event.hold not in DERIVED_HOLDS:
        watch = await watch_of(uow, str(event.order_id))
        watch.hold(event.hold, at=envelope.occurred_at, due=event.confirm_by)


async def lift_hold_when_order_hold_lifted(
    event: inbound.OrderHold, envelope: Envelope, uow: UnitOfWork
) -> None:
    if event.hold not in DERIVED_HOLDS:
        (await watch_of(uow, str(event.order_id))).lift(event.hold, at=envelope.occurred_at)


async def record_stock_when_stock_reserved(
    event: inbound.StockReserved, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    # Without a total (an older producer), this reservation adds to what the line had.
    reserved_total = event.reserved_total
    if reserved_total is None:
        reserved_total = watch.stock.get(event.sku, Stock()).reserved + event.quantity
    watch.stock_reserved(
        event.sku,
        reserved_total=reserved_total,
        backordered_total=event.backordered_total,
        at=envelope.occurred_at,
    )


async def record_stock_when_stock_backordered(
    event: inbound.StockBackordered, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    watch.stock_backordered(event.sku, at=envelope.occurred_at)


async def record_stock_when_stock_released(
    event: inbound.StockReleased, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    watch.stock_released(
        event.sku,
        quantity=event.quantity,
        reserved_total=event.reserved_total,
        backordered_total=event.backordered_total,
        at=envelope.occurred_at,
    )


async def record_credit_when_credit_answered(
    event: inbound.CreditAnswered, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    watch.credit_answered(CREDIT_ANSWERS[envelope.event_type], at=envelope.occurred_at)


async def record_shipment_when_shipment_shipped(
    event: inbound.ShipmentShipped, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    watch.shipment_observed(
        event.release_no, at=envelope.occurred_at, shipment_id=event.shipment_id
    )


async def record_invoice_when_invoice_issued(
    event: inbound.InvoiceIssued, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    watch.invoice_observed(event.invoice_id, shipment_id=event.shipment_id, at=envelope.occurred_at)


async def record_payment_when_invoice_paid(
    event: inbound.InvoicePaid, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    watch.payment_observed(event.invoice_id, at=envelope.occurred_at)


async def record_delivery_when_shipment_delivered(
    event: inbound.ShipmentDelivered, envelope: Envelope, uow: UnitOfWork
) -> None:
    watch = await watch_of(uow, str(event.order_id))
    watch.delivery_observed(event.shipment_id, at=envelope.occurred_at)


async def stop_awaiting_shipment_when_shipment_cancelled(
    event: inbound.ShipmentCancelled, envelope: Envelope, uow: UnitOfWork
) -> None:
    """A short pick can leave a release with nothing to ship: its shipment is awaited no more."""
    watch = await watch_of(uow, str(event.order_id))
    if event.release_no is not None and watch.is_open:
        watch.shipment_observed(event.release_no, at=envelope.occurred_at)


def _quantities(lines: tuple[inbound.Line, ...]) -> dict[str, int]:
    quantities: dict[str, int] = {}
    for line in lines:
        if line.quantity > 0:
            quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
    return quantities

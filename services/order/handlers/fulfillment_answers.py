"""Reactions to fulfillment: shipments, short picks, invoices and payments; the order completes
on them."""

from services.order import inbound
from services.order.events import ShippedLine
from services.order.handlers.credit_answers import reply_to
from services.order.handlers.loading import order_answered
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


def _units(lines: tuple[inbound.Units, ...]) -> list[ShippedLine]:
    return [ShippedLine(sku=line.sku, quantity=line.quantity) for line in lines if line.quantity]


async def record_shipment_when_shipment_shipped(
    event: inbound.ShipmentShipped, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    order.record_shipped(
        reply_to(envelope),
        shipment_id=event.shipment_id,
        release_no=event.release_no,
        lines=_units(event.lines),
        carrier=event.carrier,
        tracking_number=event.tracking_number,
    )


async def replan_when_shipment_short_picked(
    event: inbound.ShipmentShortPicked, _: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    order.replan_short_pick(
        shipment_id=event.shipment_id,
        release_no=event.release_no,
        step=event.step,
        lines=_units(event.lines),
    )


async def record_invoice_when_invoice_issued(
    event: inbound.InvoiceIssued, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    order.record_invoice(
        reply_to(envelope), event.invoice_id, _units(event.lines), event.total_cents
    )


async def complete_order_when_invoice_paid(
    event: inbound.InvoicePaid, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    order.record_payment(reply_to(envelope), event.invoice_id, event.total_cents)

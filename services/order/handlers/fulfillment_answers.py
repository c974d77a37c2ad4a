"""Reactions to fulfillment: shipments, their addresses, invoices and payments; the order
completes on them."""

from services.order import inbound
from services.order.domain import AddressRefusal
from services.order.events import ShippedLine, ShipTo
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


async def record_address_when_shipment_address_changed(
    event: inbound.ShipmentAddressChanged, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    order.record_address_change(
        reply_to(envelope), event.shipment_id, _address(event.ship_to), amended=event.amended
    )


async def record_refusal_when_shipment_address_change_refused(
    event: inbound.ShipmentAddressChangeRefused, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    kept = _address(event.ship_to) if event.ship_to is not None else None
    refusal = AddressRefusal(ship_to=kept, requested=_address(event.requested), reason=event.reason)
    order.record_address_change_refused(reply_to(envelope), event.shipment_id, refusal)


def _address(ship_to: inbound.ShipTo) -> ShipTo:
    return ShipTo.model_validate(ship_to.model_dump())


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

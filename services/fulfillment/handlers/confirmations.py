"""WMS/TMS confirmations, by topic or HTTP callback; a shipped shipment is invoiced at once."""

from uuid import UUID

from services.fulfillment import inbound
from services.fulfillment.commands import ConfirmationType, ConfirmShipmentStep
from services.fulfillment.domain import Invoice, Shipment, ShipmentStatus, invoice_id_for
from services.fulfillment.domain.shipment import UNKNOWN_CARRIER
from services.fulfillment.handlers import _load
from services.fulfillment.handlers.releases import address
from shared import context
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def record_pick_when_picked(
    event: inbound.Confirmation, _: Envelope, uow: UnitOfWork
) -> None:
    await _confirm(uow, "Picked", event.shipment_id)


async def request_transport_when_packed(
    event: inbound.Confirmation, _: Envelope, uow: UnitOfWork
) -> None:
    await _confirm(uow, "Packed", event.shipment_id)


async def invoice_when_shipped(
    event: inbound.ShippedConfirmation, _: Envelope, uow: UnitOfWork
) -> None:
    shipment = await _load.shipment(uow, event.shipment_id)
    shipment.confirm_shipped(
        carrier=event.carrier,
        tracking_number=event.tracking_number,
        ship_to=address(event.ship_to),
    )
    await _invoice_if_shipped(uow, shipment)


async def record_delivery_when_delivered(
    event: inbound.Confirmation, _: Envelope, uow: UnitOfWork
) -> None:
    await _confirm(uow, "Delivered", event.shipment_id)


async def confirm_shipment_step(cmd: ConfirmShipmentStep, uow: UnitOfWork) -> ShipmentStatus:
    """The HTTP callback: the same effect as the message on the WMS/TMS topic."""
    async with uow:
        with context.flow(cmd.order_id):
            shipment = await _confirm(
                uow,
                cmd.type,
                cmd.shipment_id,
                carrier=cmd.carrier or UNKNOWN_CARRIER,
                tracking_number=cmd.tracking_number or "",
            )
            await uow.commit()
    assert shipment.status is not None
    return shipment.status


async def _confirm(
    uow: UnitOfWork,
    kind: ConfirmationType,
    shipment_id: UUID,
    *,
    carrier: str = UNKNOWN_CARRIER,
    tracking_number: str = "",
) -> Shipment:
    shipment = await _load.shipment(uow, shipment_id)
    match kind:
        case "Picked":
            shipment.confirm_picked()
        case "Packed":
            shipment.confirm_packed()
        case "Shipped":
            shipment.confirm_shipped(carrier=carrier, tracking_number=tracking_number)
        case "Delivered":
            shipment.confirm_delivered()
    await _invoice_if_shipped(uow, shipment)
    return shipment


async def _invoice_if_shipped(uow: UnitOfWork, shipment: Shipment) -> None:
    """The invoice of exactly what shipped; issuing it again is a no-op."""
    if not shipment.is_shipped:
        return
    invoice_id = str(invoice_id_for(UUID(shipment.id)))
    invoice = await uow.get_or_create(Invoice, invoice_id)
    plan = shipment.plan
    invoice.issue(
        shipment_id=plan.shipment_id,
        order_id=plan.order_id,
        customer_id=plan.customer_id,
        lines=plan.lines,
    )

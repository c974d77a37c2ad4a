"""Releases become shipments waiting for a pick wave; a changed order's shipments take its new
address; a cancelled order's shipments stop."""

from services.fulfillment import inbound, lookups
from services.fulfillment.domain import Release, Shipment, shipment_id_for
from services.fulfillment.events import PricedLine, ShipTo
from services.fulfillment.handlers.andon import hold_if_stopped
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def plan_shipment_when_order_released(
    event: inbound.OrderReleased, _: Envelope, uow: UnitOfWork
) -> None:
    shipment_id = str(shipment_id_for(event.order_id, event.release_no))
    shipment = await uow.get_or_create(Shipment, shipment_id)
    if shipment.status is None:
        shipment.plan_release(_release(event))
        await hold_if_stopped(uow, shipment)


def _release(event: inbound.OrderReleased) -> Release:
    return Release(
        order_id=event.order_id,
        release_no=event.release_no,
        customer_id=event.customer_id,
        lines=[
            PricedLine(sku=line.sku, quantity=line.quantity, unit_price_cents=line.unit_price_cents)
            for line in event.lines
            if line.quantity > 0
        ],
        priority=event.priority,
        deadline=event.deadline,
        ship_to=address(event.ship_to),
    )


def address(ship_to: inbound.ShipTo | None) -> ShipTo | None:
    """An address as another service (or a TMS) told it, as fulfillment's events carry it."""
    return ShipTo.model_validate(ship_to.model_dump()) if ship_to is not None else None


async def change_addresses_when_order_changed(
    event: inbound.OrderChanged, _: Envelope, uow: UnitOfWork
) -> None:
    ship_to = address(event.ship_to)
    if ship_to is None:
        return
    ids = await lookups.shipment_ids_of_order(uow.conn, str(event.order_id))
    for shipment in (await uow.get_all(Shipment, ids)).values():
        shipment.change_address(ship_to)


async def cancel_shipments_when_order_cancelled(
    event: inbound.OrderCancelled, _: Envelope, uow: UnitOfWork
) -> None:
    for shipment_id in await lookups.shipment_ids_of_order(uow.conn, str(event.order_id)):
        shipment = await uow.get(Shipment, shipment_id)
        if shipment is not None:
            shipment.cancel(event.reason or "order cancelled")

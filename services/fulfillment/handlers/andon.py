"""Andon reactions: a pull on a SKU, order or customer keeps its waiting shipments out of the
pick waves until it is resolved; shipments already at the WMS are not recalled (v1)."""

from contextlib import AbstractContextManager
from uuid import UUID

from services.fulfillment import inbound, lookups
from services.fulfillment.domain import HELD_KINDS, PickStop, Shipment
from shared import context
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def hold_shipments_when_andon_pulled(
    event: inbound.AndonEvent, _: Envelope, uow: UnitOfWork
) -> None:
    if event.target_kind not in HELD_KINDS:
        return
    stop = await _stop(uow, event.pull_id)
    stop.stop(event.target_kind, event.target_id)
    if not stop.has_pending_events:
        return  # seen before, or already resolved
    await uow.flush()
    candidates = await lookups.waiting_candidates(uow.conn, event.target_kind, event.target_id)
    for shipment_id, order_id in candidates:
        shipment = await _shipment(uow, shipment_id)
        if shipment.is_affected_by(event.target_kind, event.target_id):
            with _order_flow(order_id):
                shipment.hold(event.pull_id)
                await uow.flush()


async def lift_holds_when_andon_resolved(
    event: inbound.AndonEvent, _: Envelope, uow: UnitOfWork
) -> None:
    if event.target_kind not in HELD_KINDS:
        return
    (await _stop(uow, event.pull_id)).resume(event.target_kind, event.target_id)
    await uow.flush()
    for shipment_id, order_id in await lookups.held_by(uow.conn, str(event.pull_id)):
        shipment = await _shipment(uow, shipment_id)
        with _order_flow(order_id):
            shipment.lift_hold(event.pull_id)
            await uow.flush()


async def hold_if_stopped(uow: UnitOfWork, shipment: Shipment) -> None:
    """A shipment planned while a pull concerning it is open is held from the start (the
    release may have crossed the pull on its way)."""
    if shipment.status is None:
        return
    for pull_id, target_kind, target_id in await lookups.open_stops(uow.conn):
        if shipment.is_affected_by(target_kind, target_id):
            shipment.hold(UUID(pull_id))


async def _stop(uow: UnitOfWork, pull_id: UUID) -> PickStop:
    stop = await uow.get_or_create(PickStop, str(pull_id))
    return stop


async def _shipment(uow: UnitOfWork, shipment_id: str) -> Shipment:
    shipment = await uow.get(Shipment, shipment_id)
    assert shipment is not None, f"shipment {shipment_id} is in the read model only"
    return shipment


def _order_flow(order_id: str) -> AbstractContextManager[None]:
    """Each shipment's events travel in its order's flow (the topic key), as the waves do."""
    return context.flow(UUID(order_id), context.causation_id.get())

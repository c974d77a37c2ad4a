"""Pick waves: waiting shipments go to the WMS by priority, then deadline, never by arrival."""

from uuid import UUID

from services.fulfillment import lookups
from services.fulfillment.commands import ReleasePickWave
from services.fulfillment.domain import Shipment
from shared import context
from shared.unit_of_work import UnitOfWork

# Waves one schedule run may release back to back: a busy warehouse gets a wave of WAVE_SIZE as
# often as it fills one, not one wave per interval (which would cap shipping at 25 orders/s).
WAVES_PER_RUN = 40


async def release_pick_wave(cmd: ReleasePickWave, uow: UnitOfWork) -> int:
    """Request picks for the next `size` waiting shipments; returns how many went out.

    Two replicas may run it at once: the loser's appends conflict, it re-reads, finds those
    shipments no longer waiting and requests nothing twice."""
    async with uow:
        waiting = await lookups.waiting_shipments(uow.conn, limit=cmd.size)
        shipments = await uow.get_all(Shipment, [shipment_id for shipment_id, _ in waiting])
        for shipment_id, order_id in waiting:
            shipment = shipments.get(shipment_id)
            assert shipment is not None, f"shipment {shipment_id} is in the read model only"
            # Each shipment's events belong to its order's flow, so flush them one by one.
            with context.flow(UUID(order_id)):
                shipment.request_pick(cmd.wave_id)
                await uow.flush()
        await uow.commit()
    return len(waiting)

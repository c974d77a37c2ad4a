"""Note pick requests, deliveries and complaints (for the order's KPIs)."""

from services.order import inbound
from services.order.domain.flow_marks import FlowMarks
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def note_pick_request_when_pick_requested(
    event: inbound.PickRequested, envelope: Envelope, uow: UnitOfWork
) -> None:
    marks = await uow.get_or_create(FlowMarks, str(event.order_id))
    marks.pick_requested(event.shipment_id, envelope.occurred_at)


async def note_delivery_when_shipment_delivered(
    event: inbound.ShipmentDelivered, envelope: Envelope, uow: UnitOfWork
) -> None:
    marks = await uow.get_or_create(FlowMarks, str(event.order_id))
    marks.delivered(event.shipment_id, envelope.occurred_at)


async def note_complaint_when_complaint_recorded(
    event: inbound.ComplaintRecorded, envelope: Envelope, uow: UnitOfWork
) -> None:
    marks = await uow.get_or_create(FlowMarks, str(event.order_id))
    marks.complained(event.complaint_id, envelope.occurred_at)

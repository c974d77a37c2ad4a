"""Flow marks: the warehouse asked to pick, the carrier delivered, the customer complained;
noted per order for its KPIs.

A stream of its own (not the order's): the order's decisions never depend on these facts, and
keeping them out of the Order aggregate keeps its hot path as it is. A shipment is noted once.
"""

from datetime import datetime
from uuid import UUID

from services.order.events import ComplaintNoted, DeliveryNoted, PickRequestNoted
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


class FlowMarks(Aggregate):
    stream_type = "order-flow"
    event_classes = event_map(PickRequestNoted, DeliveryNoted, ComplaintNoted)

    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.picks: set[UUID] = set()
        self.deliveries: set[UUID] = set()
        self.complaints: set[UUID] = set()

    def pick_requested(self, shipment_id: UUID, at: datetime) -> None:
        if shipment_id not in self.picks:
            self._record(
                PickRequestNoted(order_id=UUID(self.id), shipment_id=shipment_id, requested_at=at)
            )

    def delivered(self, shipment_id: UUID, at: datetime) -> None:
        if shipment_id not in self.deliveries:
            self._record(
                DeliveryNoted(order_id=UUID(self.id), shipment_id=shipment_id, delivered_at=at)
            )

    def complained(self, complaint_id: UUID, at: datetime) -> None:
        if complaint_id not in self.complaints:
            self._record(
                ComplaintNoted(order_id=UUID(self.id), complaint_id=complaint_id, recorded_at=at)
            )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case PickRequestNoted():
                self.picks.add(event.shipment_id)
            case DeliveryNoted():
                self.deliveries.add(event.shipment_id)
            case ComplaintNoted():
                self.complaints.add(event.complaint_id)

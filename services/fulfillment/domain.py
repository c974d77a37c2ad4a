"""Fulfillment order aggregate: one per released order."""

from collections.abc import Sequence
from uuid import UUID

from services.fulfillment.events import FulfillmentLine, FulfillmentRequested
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


class FulfillmentOrder(Aggregate):
    stream_type = "fulfillment-order"
    event_classes = event_map(FulfillmentRequested)

    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.requested = False

    def request(self, customer_id: str, lines: Sequence[FulfillmentLine]) -> None:
        if self.requested:
            return  # the release arrived again; the warehouse already has it
        self._record(
            FulfillmentRequested(
                order_id=UUID(self.id), customer_id=customer_id, lines=tuple(lines)
            )
        )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case FulfillmentRequested():
                self.requested = True

"""Stock aggregate: one per SKU; reserves against available-to-promise (on hand - reserved)."""

from uuid import UUID

from services.inventory.events import StockReceived, StockReserved, StockShortage
from shared.aggregate import Aggregate, event_map
from shared.errors import InvalidRequestError
from shared.messages import DomainEvent


class Stock(Aggregate):
    stream_type = "stock"
    event_classes = event_map(StockReceived, StockReserved, StockShortage)

    def __init__(self, sku: str) -> None:
        super().__init__(sku)
        self.on_hand = 0
        self.reserved = 0
        self.answered: set[UUID] = set()

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def receive(self, quantity: int) -> None:
        if quantity <= 0:
            raise InvalidRequestError("a receipt needs a positive quantity")
        self._record(StockReceived(sku=self.id, quantity=quantity))

    def reserve(self, order_id: UUID, quantity: int) -> None:
        if order_id in self.answered:
            return  # this order's line was already answered; the same request came again
        if quantity <= self.available:
            self._record(StockReserved(order_id=order_id, sku=self.id, quantity=quantity))
        else:
            self._record(
                StockShortage(
                    order_id=order_id, sku=self.id, requested=quantity, available=self.available
                )
            )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case StockReceived():
                self.on_hand += event.quantity
            case StockReserved():
                self.reserved += event.quantity
                self.answered.add(event.order_id)
            case StockShortage():
                self.answered.add(event.order_id)

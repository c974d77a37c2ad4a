"""Events of the inventory service; PUBLISHED lists those that leave it on `inventory.events`."""

from typing import Final
from uuid import UUID

from pydantic import PositiveInt

from shared.messages import DomainEvent


class StockReceived(DomainEvent):
    sku: str
    quantity: PositiveInt


class StockReserved(DomainEvent):
    order_id: UUID
    sku: str
    quantity: PositiveInt


class StockShortage(DomainEvent):
    order_id: UUID
    sku: str
    requested: PositiveInt
    available: int


PUBLISHED: Final = (StockReceived, StockReserved, StockShortage)

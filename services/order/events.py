"""Events of the order service; PUBLISHED lists those that leave it on `order.events`."""

from typing import Final
from uuid import UUID

from pydantic import NonNegativeInt, PositiveInt

from shared.messages import DomainEvent, Message


class OrderLine(Message):
    sku: str
    quantity: PositiveInt
    unit_price_cents: NonNegativeInt


class ItemDefined(DomainEvent):
    sku: str
    name: str
    unit_price_cents: NonNegativeInt


class OrderPlaced(DomainEvent):
    order_id: UUID
    customer_id: str
    channel: str
    external_id: str | None
    lines: tuple[OrderLine, ...]
    total_cents: NonNegativeInt


class CreditApprovalRecorded(DomainEvent):
    order_id: UUID


class StockReservationRecorded(DomainEvent):
    order_id: UUID
    sku: str
    quantity: PositiveInt


class StockShortageRecorded(DomainEvent):
    order_id: UUID
    sku: str
    requested: PositiveInt
    available: int


class OrderReleased(DomainEvent):
    order_id: UUID
    customer_id: str
    lines: tuple[OrderLine, ...]


class OrderRejected(DomainEvent):
    order_id: UUID
    reason: str


PUBLISHED: Final = (OrderPlaced, OrderReleased, OrderRejected)

"""Events of the fulfillment service; PUBLISHED ones leave it on `fulfillment.events`."""

from typing import Final
from uuid import UUID

from pydantic import PositiveInt

from shared.messages import DomainEvent, Message


class FulfillmentLine(Message):
    sku: str
    quantity: PositiveInt


class FulfillmentRequested(DomainEvent):
    order_id: UUID
    customer_id: str
    lines: tuple[FulfillmentLine, ...]


PUBLISHED: Final = (FulfillmentRequested,)

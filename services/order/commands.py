"""Commands the order service accepts."""

from uuid import UUID

from pydantic import NonNegativeInt, PositiveInt

from shared.messages import Command, Message


class RequestedLine(Message):
    sku: str
    quantity: PositiveInt


class PlaceOrder(Command):
    order_id: UUID
    channel: str
    idempotency_key: str
    request_hash: str
    customer_id: str
    external_id: str | None
    lines: tuple[RequestedLine, ...]


class DefineItem(Command):
    sku: str
    name: str
    unit_price_cents: NonNegativeInt

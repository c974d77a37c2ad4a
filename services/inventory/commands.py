"""Commands the inventory service accepts."""

from pydantic import PositiveInt

from shared.messages import Command


class ReceiveStock(Command):
    """Goods received into stock."""

    sku: str
    quantity: PositiveInt

"""Fulfillment use cases."""

from services.fulfillment import inbound
from services.fulfillment.domain import FulfillmentOrder
from services.fulfillment.events import FulfillmentLine
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def request_fulfillment_when_order_released(
    event: inbound.OrderReleased, _: Envelope, uow: UnitOfWork
) -> None:
    order_id = str(event.order_id)
    fulfillment = await uow.get(FulfillmentOrder, order_id)
    if fulfillment is None:
        fulfillment = FulfillmentOrder(order_id)
        uow.add(fulfillment)
    lines = [FulfillmentLine(sku=line.sku, quantity=line.quantity) for line in event.lines]
    fulfillment.request(event.customer_id, lines)

"""Order use cases: command handlers for the API and reactions to other departments' events."""

from uuid import UUID

from services.order import inbound, views
from services.order.commands import DefineItem, PlaceOrder
from services.order.domain import CatalogItem, Order
from services.order.events import OrderLine
from shared.envelope import Envelope
from shared.errors import InvalidRequestError, NotFoundError
from shared.unit_of_work import UnitOfWork


class IdempotencyKeyReusedError(InvalidRequestError):
    def __init__(self, key: str) -> None:
        super().__init__(f"Idempotency-Key {key!r} was already used with a different request body")


async def place_order(cmd: PlaceOrder, uow: UnitOfWork) -> UUID:
    async with uow:
        earlier = await views.idempotent_answer(uow.conn, cmd.channel, cmd.idempotency_key)
        if earlier is not None:
            if earlier[0] != cmd.request_hash:
                raise IdempotencyKeyReusedError(cmd.idempotency_key)
            return UUID(earlier[1])
        lines = await _priced_lines(uow, cmd)
        order = Order.place(
            cmd.order_id,
            customer_id=cmd.customer_id,
            channel=cmd.channel,
            external_id=cmd.external_id,
            lines=lines,
        )
        uow.add(order)
        await views.remember_idempotency_key(
            uow.conn,
            channel=cmd.channel,
            key=cmd.idempotency_key,
            request_hash=cmd.request_hash,
            order_id=str(cmd.order_id),
        )
        await uow.commit()
    return cmd.order_id


async def _priced_lines(uow: UnitOfWork, cmd: PlaceOrder) -> list[OrderLine]:
    prices = await views.prices(uow.conn, [line.sku for line in cmd.lines])
    unknown = [
        {"field": f"lines.{i}.sku", "message": f"unknown SKU {line.sku!r}"}
        for i, line in enumerate(cmd.lines)
        if line.sku not in prices
    ]
    if unknown:
        raise InvalidRequestError("the order names unknown SKUs", errors=unknown)
    return [
        OrderLine(sku=line.sku, quantity=line.quantity, unit_price_cents=prices[line.sku])
        for line in cmd.lines
    ]


async def define_item(cmd: DefineItem, uow: UnitOfWork) -> None:
    async with uow:
        item = await uow.get(CatalogItem, cmd.sku) or CatalogItem(cmd.sku)
        uow.add(item)
        item.define(name=cmd.name, unit_price_cents=cmd.unit_price_cents)
        await uow.commit()


async def _order(uow: UnitOfWork, order_id: UUID) -> Order:
    order = await uow.get(Order, str(order_id))
    if order is None:
        # A reply for an order we never accepted is a lost or foreign hand-off: dead-letter it.
        raise NotFoundError(f"order {order_id} is unknown to the order service")
    return order


async def record_credit_when_credit_approved(
    event: inbound.CreditApproved, _: Envelope, uow: UnitOfWork
) -> None:
    (await _order(uow, event.order_id)).record_credit_approved()


async def record_reservation_when_stock_reserved(
    event: inbound.StockReserved, _: Envelope, uow: UnitOfWork
) -> None:
    (await _order(uow, event.order_id)).record_stock_reserved(event.sku, event.quantity)


async def hold_order_when_stock_short(
    event: inbound.StockShortage, _: Envelope, uow: UnitOfWork
) -> None:
    order = await _order(uow, event.order_id)
    order.record_stock_short(event.sku, event.requested, event.available)


async def reject_order_when_credit_declined(
    event: inbound.CreditDeclined, _: Envelope, uow: UnitOfWork
) -> None:
    (await _order(uow, event.order_id)).reject(f"credit declined: {event.reason}")

"""Order routes: place, follow, change, cancel and confirm orders."""

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request, Response, status

from services.order.commands import (
    CancelOrder,
    ChangeOrder,
    ConfirmOrder,
    PlaceOrder,
    RecordReturn,
    RequestedLine,
)
from services.order.events import ShipTo
from services.order.handlers import Accepted
from services.order.schemas import (
    OrderAccepted,
    OrderCancel,
    OrderCreate,
    OrderLineCreate,
    OrderPatch,
    OrderPublic,
    OrderSummary,
    ReturnCreate,
    ReturnPublic,
)
from services.order.views import queries
from shared import context, paging
from shared.auth import ChannelOrStaff
from shared.errors import NotFoundError
from shared.idempotency import IdempotencyKey, OnceByKey, OnceByOptionalKey
from shared.runtime import ServiceRuntime, runtime_of


def _lines(lines: list[OrderLineCreate]) -> tuple[RequestedLine, ...]:
    return tuple(RequestedLine(sku=line.sku, quantity=line.quantity) for line in lines)


# OpenAPI links: what a client (or a stateful fuzzer) can do next with an accepted order.
_ORDER_ID = {"order_id": "$response.body#/order_id"}
ORDER_LINKS = {
    name: {"operationId": f"orders-{operation}", "parameters": _ORDER_ID}
    for name, operation in {
        "GetOrder": "get_order",
        "ChangeOrder": "change_order",
        "CancelOrder": "cancel_order",
        "ConfirmOrder": "confirm_order",
        "RecordReturn": "record_return",
    }.items()
}


Runtime = Annotated[ServiceRuntime, runtime_of("order")]

orders = APIRouter(prefix="/v1/orders", tags=["orders"])


@orders.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OrderAccepted,
    responses={202: {"links": ORDER_LINKS}},
)
async def place_order(
    body: OrderCreate,
    response: Response,
    principal: ChannelOrStaff,
    idempotency_key: IdempotencyKey,
    runtime: Runtime,
) -> OrderAccepted:
    """Accept an order; credit and stock checks follow asynchronously."""
    command = PlaceOrder(
        order_id=uuid4(),
        channel=principal.name,
        idempotency_key=idempotency_key,
        request_hash=body.fingerprint(),
        customer_id=body.customer_id,
        external_id=body.external_id,
        lines=_lines(body.lines),
        ship_to=ShipTo(**body.ship_to.model_dump()),
        received_at=runtime.clock.now(),
    )
    accepted: Accepted = await runtime.send(command)
    status_url = f"/v1/orders/{accepted.order_id}"
    response.headers["Location"] = status_url
    return OrderAccepted(order_id=accepted.order_id, status=accepted.status, status_url=status_url)


@orders.get("/{order_id}", response_model=OrderPublic)
async def get_order(order_id: UUID, principal: ChannelOrStaff, runtime: Runtime) -> OrderPublic:
    """Current state and the full timeline of hand-offs of one order."""
    async with runtime.db.transaction() as conn:
        details = await queries.order_details(conn, order_id)
    # A channel sees only its own orders; someone else's is indistinguishable from none.
    if details is None or principal.channel not in (None, details.channel):
        raise NotFoundError(f"order {order_id} not found")
    return details


@orders.get("", response_model=list[OrderSummary], responses=paging.LINKED)
async def list_orders(
    principal: ChannelOrStaff,
    request: Request,
    response: Response,
    page: paging.Paging,
    runtime: Runtime,
    status: Annotated[str, Query(max_length=30)] | None = None,
    customer_id: Annotated[str, Query(max_length=100)] | None = None,
    channel: Annotated[str, Query(max_length=100, description="staff: one channel's")]
    | None = None,
    external_id: Annotated[
        str | None, Query(max_length=200, description="the channel's own order id")
    ] = None,
    from_: paging.From = None,
    to: paging.To = None,
) -> list[OrderSummary]:
    """Orders, newest first (`order=asc`: oldest first), by status, customer, channel, the
    channel's own id and when placed; `updated_since`: a change feed of every order's
    status (a channel key's: its own orders'). The next page is in the `Link` header."""
    where = (
        paging.Where()
        .equal("channel", principal.channel, feed=True)
        .equal("channel", channel, feed=True)
        .equal("status", status)
        .equal("customer_id", customer_id)
        .equal("external_id", external_id)
        .between("placed_at", from_, to)
    )
    async with runtime.db.transaction() as conn:
        found = await queries.orders(conn, where, page)
    return paging.linked(request, response, found)


@orders.patch("/{order_id}", response_model=OrderAccepted)
async def change_order(
    order_id: UUID, body: OrderPatch, principal: ChannelOrStaff, runtime: Runtime
) -> OrderAccepted:
    """Change lines or the address until shipment; only the affected checks run again."""
    command = ChangeOrder(
        order_id=order_id,
        channel=principal.channel,
        lines=_lines(body.lines) if body.lines is not None else None,
        ship_to=ShipTo(**body.ship_to.model_dump()) if body.ship_to else None,
    )
    return await _send(runtime, command)


@orders.post("/{order_id}/cancel", response_model=OrderAccepted)
async def cancel_order(
    order_id: UUID,
    principal: ChannelOrStaff,
    runtime: Runtime,
    once: OnceByOptionalKey,
    body: OrderCancel | None = None,
) -> Any:
    """Cancel until shipment; inventory and credit release what they held."""
    reason = (body or OrderCancel()).reason
    command = CancelOrder(order_id=order_id, channel=principal.channel, reason=reason)

    async def act() -> OrderAccepted:
        return await _send(runtime, command)

    return await once.run(runtime.db, principal=principal.name, body=body, act=act)


@orders.post("/{order_id}/confirm", response_model=OrderAccepted)
async def confirm_order(
    order_id: UUID,
    principal: ChannelOrStaff,
    runtime: Runtime,
    once: OnceByOptionalKey,
) -> Any:
    """Confirm an order held by the pattern check; it then goes on."""
    command = ConfirmOrder(order_id=order_id, channel=principal.channel)

    async def act() -> OrderAccepted:
        return await _send(runtime, command)

    return await once.run(runtime.db, principal=principal.name, body=None, act=act)


@orders.post(
    "/{order_id}/returns", status_code=status.HTTP_201_CREATED, response_model=ReturnPublic
)
async def record_return(
    order_id: UUID,
    body: ReturnCreate,
    principal: ChannelOrStaff,
    runtime: Runtime,
    once: OnceByKey,
) -> Any:
    """Authorise units of a shipped order to come back (an RMA), with the reason (counted as
    defects); the warehouse receives and credits them (timeline at `status_url`)."""
    command = RecordReturn(
        order_id=order_id,
        channel=principal.channel,
        lines=_lines(body.lines),
        reason=body.reason,
    )

    async def act() -> ReturnPublic:
        with context.flow(order_id):
            recorded = await runtime.send(command)
        status_url = f"/v1/orders/{order_id}"
        return ReturnPublic.model_validate({**recorded.model_dump(), "status_url": status_url})

    return await once.run(runtime.db, principal=principal.name, body=body, act=act)


async def _send(
    runtime: ServiceRuntime, command: ChangeOrder | CancelOrder | ConfirmOrder
) -> OrderAccepted:
    with context.flow(command.order_id):
        order_status: str = await runtime.send(command)
    status_url = f"/v1/orders/{command.order_id}"
    return OrderAccepted(order_id=command.order_id, status=order_status, status_url=status_url)


ROUTERS = (orders,)

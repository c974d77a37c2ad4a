"""Order HTTP API: thin routes that send one command or run one query."""

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Header, Query, Response, status

from services.order import handlers, views
from services.order.commands import DefineItem, PlaceOrder, RequestedLine
from services.order.schemas import ItemPut, OrderAccepted, OrderCreate, OrderPublic, OrderSummary
from shared import context
from shared.auth import ChannelOrStaff, Ops
from shared.commands import run_command
from shared.errors import BadRequestError, NotFoundError
from shared.runtime import ServiceRuntime


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    orders = APIRouter(prefix="/v1/orders", tags=["orders"])
    items = APIRouter(prefix="/v1/items", tags=["items"])

    @orders.post("", status_code=status.HTTP_202_ACCEPTED, response_model=OrderAccepted)
    async def place_order(
        body: OrderCreate,
        response: Response,
        principal: ChannelOrStaff,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> OrderAccepted:
        """Accept an order; credit and stock checks follow asynchronously."""
        if not idempotency_key:
            raise BadRequestError(
                "the Idempotency-Key header is required",
                errors=[{"field": "header.Idempotency-Key", "message": "required"}],
            )
        order_id = uuid4()
        command = PlaceOrder(
            order_id=order_id,
            channel=principal.name,
            idempotency_key=idempotency_key,
            request_hash=body.fingerprint(),
            customer_id=body.customer_id,
            external_id=body.external_id,
            lines=tuple(RequestedLine(sku=line.sku, quantity=line.quantity) for line in body.lines),
        )
        with context.flow(order_id):
            accepted_id = await run_command(handlers.place_order, command, runtime.unit_of_work())
        status_url = f"/v1/orders/{accepted_id}"
        response.headers["Location"] = status_url
        return OrderAccepted(order_id=accepted_id, status="pending", status_url=status_url)

    @orders.get("/{order_id}", response_model=OrderPublic)
    async def get_order(order_id: UUID, principal: ChannelOrStaff) -> OrderPublic:
        """Current state and the full timeline of hand-offs of one order."""
        async with runtime.db.transaction() as conn:
            details = await views.order_details(conn, order_id)
        # A channel sees only its own orders; someone else's is indistinguishable from none.
        if details is None or principal.channel not in (None, details["channel"]):
            raise NotFoundError(f"order {order_id} not found")
        return OrderPublic.model_validate(details)

    @orders.get("", response_model=list[OrderSummary])
    async def list_orders(
        principal: ChannelOrStaff,
        status: str | None = None,
        customer_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[OrderSummary]:
        """Orders, newest first, filtered by status and customer."""
        async with runtime.db.transaction() as conn:
            rows = await views.list_orders(
                conn,
                channel=principal.channel,
                status=status,
                customer_id=customer_id,
                limit=limit,
            )
        return [OrderSummary.model_validate(row) for row in rows]

    @items.put("/{sku}", status_code=status.HTTP_204_NO_CONTENT)
    async def put_item(sku: str, body: ItemPut, _: Ops) -> None:
        """Create or update a catalogue item (ops master data)."""
        command = DefineItem(sku=sku, name=body.name, unit_price_cents=body.unit_price_cents)
        await run_command(handlers.define_item, command, runtime.unit_of_work())

    return [orders, items]

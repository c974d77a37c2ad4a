"""Queries over the read models: orders, customers, the customer's history and revenue."""

import json
import zlib
from datetime import datetime
from uuid import UUID

from services.order.domain import Order
from services.order.domain.state import OrderState
from services.order.schemas import CustomerPublic, OrderDetails, OrderLinePublic, OrderSummary
from services.order.views.timeline import timeline
from shared.db import Connection, Row
from shared.envelope import parse_time
from shared.eventstore import SqlEventStore
from shared.paging import Listing, Page, PageQuery, Where, fetch

# Orders that never went ahead count neither as history nor as revenue.
_LIVE = "s.status NOT IN ('cancelled', 'rejected')"


async def order_details(conn: Connection, order_id: UUID) -> OrderDetails | None:
    row = await conn.fetchrow("SELECT * FROM order_summary WHERE order_id = $1", str(order_id))
    if row is None:
        return None
    history = await SqlEventStore().load(conn, Order.stream_id_for(str(order_id)))
    if not history:
        return await archived_details(conn, order_id)
    events = [Order.event_from(e.event_type, e.data) for e in history]
    state = Order.rehydrate(str(order_id), events).state
    return OrderDetails(
        order_id=order_id,
        channel=row["channel"],
        status=state.status,
        holds=sorted(state.holds),
        customer_id=row["customer_id"],
        external_id=row["external_id"],
        total_cents=state.total_cents,
        segment=row["segment"],
        priority=row["priority"],
        deadline=parse_time(row["deadline"]).isoformat(),
        ship_to=state.ship_to.model_dump() if state.ship_to else None,
        lines=[
            OrderLinePublic(
                sku=sku,
                quantity=quantity,
                reserved=min(state.reserved.get(sku, 0), quantity),
                shipped=state.shipped.get(sku, 0),
                cancelled=state.cancelled.get(sku, 0),
                returned=state.returned.get(sku, 0),
            )
            # A line a short pick cancelled in full stays in view, with quantity 0.
            for sku, quantity in _quantities(state).items()
        ],
        timeline=timeline(history, events),
    )


def _quantities(state: OrderState) -> dict[str, int]:
    quantities = {sku: line.quantity for sku, line in state.lines.items()}
    return quantities | {sku: 0 for sku in state.cancelled if sku not in quantities}


async def archived_details(conn: Connection, order_id: UUID) -> OrderDetails | None:
    """What `order_details` answered when the order's events moved to an archive
    (services/order/views/archive.py)."""
    kept = await conn.fetchval(
        "SELECT details FROM archived_order WHERE order_id = $1", str(order_id)
    )
    return None if kept is None else OrderDetails.model_validate_json(zlib.decompress(kept))


ORDERS = Listing(
    name="orders",
    source="order_summary",
    columns="order_id, status, holds, customer_id, external_id, total_cents, segment, priority,"
    " placed_at, updated_at",
    order=(("placed_at", datetime), ("order_id", str)),
    row_key=(("order_id", str),),
)


async def orders(conn: Connection, where: Where, query: PageQuery) -> Page[OrderSummary]:
    """A page of orders (or of their change feed)."""
    found = await fetch(conn, ORDERS, where, query)
    return found.with_rows([_summary(row) for row in found.rows])


def _summary(row: Row) -> OrderSummary:
    return OrderSummary.model_validate(
        {
            **dict(row),
            "holds": json.loads(row["holds"]),
            "placed_at": parse_time(row["placed_at"]).isoformat(),
            "updated_at": parse_time(row["updated_at"]).isoformat(),
        }
    )


async def customer(conn: Connection, customer_id: str) -> CustomerPublic | None:
    row = await conn.fetchrow("SELECT * FROM customer WHERE customer_id = $1", customer_id)
    return None if row is None else CustomerPublic.model_validate(dict(row))

"""The order write side's own indexes: what its handlers look up to decide, kept in the
transaction that records the events (`project`) or takes the request. Handlers read these and
never the read models (services/order/views), which only routes read."""

from services.order.domain import Order
from services.order.events import OrderChanged, OrderPlaced, OrderShortPicked
from services.order.lookups import andon, history, orders, requests, stock
from services.order.lookups.tables import kept_metadata, metadata
from shared.aggregate import Aggregate
from shared.db import WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent

__all__ = [
    "andon",
    "history",
    "kept_metadata",
    "metadata",
    "orders",
    "project",
    "requests",
    "stock",
]


async def project(
    conn: WriteBehind, event: DomainEvent, _: Envelope, recorded_by: Aggregate | None
) -> None:
    if isinstance(event, OrderPlaced | OrderChanged | OrderShortPicked):
        assert isinstance(recorded_by, Order)
        await history.replace_lines(conn, recorded_by)
    await andon.project(conn, event)

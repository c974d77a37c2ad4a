"""Loading what a use case works on, with the refusals every use case shares."""

from collections.abc import Mapping, Sequence
from uuid import UUID

from services.order.commands import RequestedLine
from services.order.domain import CatalogItem, Order
from services.order.events import OrderLine
from services.order.lookups.orders import order_channel
from shared.archive import StreamArchivedError, archive_of
from shared.errors import InvalidRequestError, NotFoundError
from shared.limits import MAX_CENTS
from shared.unit_of_work import UnitOfWork


async def order_answered(uow: UnitOfWork, order_id: UUID) -> Order:
    order = await uow.get(Order, str(order_id))
    if order is None:
        await _refuse_if_archived(uow, order_id, channel=None)
        # An answer about an order we never accepted is a lost or foreign hand-off: dead-letter it.
        raise NotFoundError(f"order {order_id} is unknown to the order service")
    return order


async def order_of(uow: UnitOfWork, order_id: UUID, channel: str | None) -> Order:
    """The order, if the caller may act on it: staff on any, a channel on its own only."""
    order = await uow.get(Order, str(order_id))
    if order is None:
        await _refuse_if_archived(uow, order_id, channel)
    placed = order.state.placed if order is not None else None
    # Someone else's order is indistinguishable from none.
    if order is None or placed is None or channel not in (None, placed.channel):
        raise NotFoundError(f"order {order_id} not found")
    return order


async def _refuse_if_archived(uow: UnitOfWork, order_id: UUID, channel: str | None) -> None:
    """Raises:
    StreamArchivedError: the order's events are in an archive file (for its channel or staff).
    """
    archive = await archive_of(uow.conn, Order.stream_id_for(str(order_id)))
    if archive is not None and channel in (None, await order_channel(uow.conn, order_id)):
        raise StreamArchivedError(f"order {order_id}", archive)


async def catalog_items(uow: UnitOfWork, skus: Sequence[str]) -> dict[str, CatalogItem]:
    items = await uow.get_all(CatalogItem, skus)
    return {sku: item for sku, item in items.items() if item.definition is not None}


def unknown_skus(
    lines: Sequence[RequestedLine], known: Mapping[str, object]
) -> list[dict[str, str]]:
    return [
        {"field": f"lines.{index}.sku", "message": f"unknown SKU {line.sku!r}"}
        for index, line in enumerate(lines)
        if line.sku not in known
    ]


def priced(
    lines: Sequence[RequestedLine],
    items: Mapping[str, CatalogItem],
    *,
    keep: Mapping[str, OrderLine] | None = None,
) -> list[OrderLine]:
    """Lines at today's price, except SKUs already on the order (`keep`) keep theirs.

    Raises:
        InvalidRequestError: the order would be worth more than the documented maximum.
    """
    kept = keep or {}
    result = [
        OrderLine(
            sku=line.sku,
            quantity=line.quantity,
            unit_price_cents=(
                kept[line.sku].unit_price_cents
                if line.sku in kept
                else items[line.sku].unit_price_cents
            ),
        )
        for line in lines
    ]
    total = sum(line.quantity * line.unit_price_cents for line in result)
    if total > MAX_CENTS:
        # Exposure and revenue add order totals up: each must stay within the bound they assume.
        raise InvalidRequestError(
            f"the order would be worth {total} cents, more than the maximum of {MAX_CENTS}",
            errors=[{"field": "lines", "message": f"order total above {MAX_CENTS} cents"}],
        )
    return result

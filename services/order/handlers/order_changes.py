"""What channels and staff do to an order after intake: confirm, change, cancel."""

from collections.abc import Mapping, Sequence
from datetime import timedelta

from services.order.commands import CancelOrder, ChangeOrder, ConfirmOrder, ExpireConfirmations
from services.order.domain import (
    POLICY_ID,
    CatalogItem,
    Customer,
    Order,
    OrderTerms,
    Rechecked,
    ServicePolicy,
    affected_by,
    order_terms,
    segment_of,
    unusual_order,
)
from services.order.events import OrderLine, PolicyChanged
from services.order.handlers.loading import catalog_items, order_of, priced, unknown_skus
from services.order.lookups import andon, history, orders
from shared import context
from shared.errors import InvalidRequestError
from shared.unit_of_work import UnitOfWork


async def confirm_order(cmd: ConfirmOrder, uow: UnitOfWork) -> str:
    async with uow:
        order = await order_of(uow, cmd.order_id, cmd.channel)
        order.confirm()
        await uow.commit()
    return order.status


async def change_order(cmd: ChangeOrder, uow: UnitOfWork) -> str:
    async with uow:
        order = await order_of(uow, cmd.order_id, cmd.channel)
        lines, rechecked = None, None
        if cmd.lines is not None:
            items = await catalog_items(uow, [line.sku for line in cmd.lines])
            if errors := unknown_skus(cmd.lines, items):
                raise InvalidRequestError("the change names unknown SKUs", errors=errors)
            lines = priced(cmd.lines, items, keep=order.state.lines)
            rechecked = await _recheck(uow, order, lines, items)
        order.change(lines, cmd.ship_to, rechecked)
        await uow.commit()
    return order.status


async def _recheck(
    uow: UnitOfWork, order: Order, lines: Sequence[OrderLine], items: Mapping[str, CatalogItem]
) -> Rechecked:
    """Only the checks the new lines affect run again, as at intake: the pattern check on the
    order as it will be when a line grows or is new, andon stops on new SKUs, and the segment
    (priority, deadline) when the SKUs differ. Credit and stock follow `OrderChanged`."""
    affected = affected_by(order.state.lines, lines)
    placed = order.state.placed
    assert placed is not None  # order_of found a placed order
    policy = (await uow.get(ServicePolicy, POLICY_ID) or ServicePolicy()).current
    unusual, confirm_by = None, None
    if affected.grows:
        skus = [line.sku for line in lines]
        past = await history.customer_history(uow.conn, placed.customer_id, skus, besides=order.id)
        unusual = unusual_order(past, lines, policy.pattern_check)
        timeout = timedelta(minutes=policy.pattern_check.confirmation_timeout_minutes)
        confirm_by = uow.now() + timeout
    stops = await andon.open_stops(uow.conn, None, affected.new_skus) if affected.new_skus else []
    terms = await _terms(uow, order, lines, items, policy) if affected.skus_changed else None
    return Rechecked(unusual=unusual, confirm_by=confirm_by, terms=terms, stops=stops)


async def _terms(
    uow: UnitOfWork,
    order: Order,
    lines: Sequence[OrderLine],
    items: Mapping[str, CatalogItem],
    policy: PolicyChanged,
) -> OrderTerms | None:
    """The order's terms for its new lines, when they put it in another segment. The customer
    is the one it was accepted for (their class as then); their tier is today's."""
    current, placed = order.state.terms, order.state.placed
    assert current is not None and placed is not None
    item_classes = [items[line.sku].item_class for line in lines]
    if segment_of(current.segment[:1], item_classes) == current.segment:
        return None
    customer = await uow.get(Customer, placed.customer_id)
    return order_terms(
        policy,
        customer_class=current.segment[:1],
        item_classes=item_classes,
        tier=customer.tier if customer is not None else "regular",
        accepted_at=await orders.accepted_at(uow.conn, order.id),
    )


async def cancel_order(cmd: CancelOrder, uow: UnitOfWork) -> str:
    async with uow:
        order = await order_of(uow, cmd.order_id, cmd.channel)
        order.cancel(cmd.reason)
        await uow.commit()
    return order.status


async def expire_confirmations(_: ExpireConfirmations, uow: UnitOfWork) -> None:
    """Orders held for confirmation past their confirm-by time are cancelled (a bounded batch
    per run; the domain guard makes a repeat a no-op)."""
    now = uow.now()
    async with uow:
        for order_id in await orders.awaiting_confirmation_before(uow.conn, now):
            if (order := await uow.get(Order, order_id)) is not None:
                with context.flow(order.order_id):
                    order.expire_confirmation(now)
                    await uow.flush()
        await uow.commit()

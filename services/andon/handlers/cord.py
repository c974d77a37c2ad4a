"""Pulling and releasing the cord inside a unit of work: shared by every use case that pulls."""

from datetime import datetime
from uuid import UUID, uuid4

from services.andon import lookups
from services.andon.domain import (
    AndonTarget,
    OrderWatch,
    Pull,
    UnknownTargetError,
    andon_hold,
    target_id_of,
)
from services.andon.events import TargetKind
from shared.unit_of_work import UnitOfWork


async def pull_cord(
    uow: UnitOfWork, kind: TargetKind, target_id: str, pull: Pull, *, now: datetime
) -> tuple[UUID, bool]:
    """Pull on a target (or join its open pull); a new pull holds the orders it stops."""
    target = await uow.get_or_create(AndonTarget, target_id_of(kind, target_id))
    pull_id, new = target.pull(pull, new_pull_id=uuid4(), now=now)
    if new:
        for order_id in await lookups.watch.affected_orders(uow.conn, kind, target_id):
            watch = await watch_of(uow, order_id)
            watch.hold(andon_hold(pull_id), at=now)
    return pull_id, new


async def refuse_unknown(uow: UnitOfWork, kind: TargetKind, target_id: str) -> None:
    """A pull from a person must name something that exists: an order andon watches, a SKU or
    customer the order service defined (or that was on an order andon watched: installations
    older than andon's reading of master data). A step is any name ops give a part of the
    process."""
    if kind is TargetKind.STEP:
        return
    if kind is TargetKind.ORDER:
        known = await watched_order(uow, target_id) is not None
    else:
        target = await uow.get(AndonTarget, target_id_of(kind, target_id))
        known = target is not None and target.known
        known = known or await lookups.watch.ever_ordered(uow.conn, kind, target_id)
    if not known:
        raise UnknownTargetError(kind, target_id)


async def watched_order(uow: UnitOfWork, order_id: str) -> OrderWatch | None:
    try:
        stream = str(UUID(order_id))
    except ValueError:
        return None
    watch = await uow.get(OrderWatch, stream)
    return watch if watch is not None and watch.placed else None


async def know_target(uow: UnitOfWork, kind: TargetKind, target_id: str) -> None:
    (await uow.get_or_create(AndonTarget, target_id_of(kind, target_id))).know()


async def release_holds(uow: UnitOfWork, pull_id: UUID, *, now: datetime) -> None:
    """The watchdog's clocks of every order this pull held run again."""
    hold = andon_hold(pull_id)
    for order_id in await lookups.watch.held_by(uow.conn, hold):
        (await watch_of(uow, order_id)).lift(hold, at=now)


async def hold_if_stopped(uow: UnitOfWork, watch: OrderWatch, *, now: datetime) -> None:
    """A new order for a stopped SKU or customer is held from the start."""
    targets = [("order", str(watch.order_id)), ("customer", watch.customer_id)]
    targets += [("sku", sku) for sku in watch.ordered]
    for pull_id in await lookups.pulls.open_pulls_on(uow.conn, targets):
        watch.hold(andon_hold(UUID(pull_id)), at=now)


async def watch_of(uow: UnitOfWork, order_id: str) -> OrderWatch:
    return await uow.get_or_create(OrderWatch, order_id)

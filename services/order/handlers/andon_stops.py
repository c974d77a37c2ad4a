"""Reactions to andon pulls: hold the orders a pull stops, and let them resume on resolution."""

from services.order import inbound
from services.order.domain import AndonPull, AndonStop, Order
from services.order.lookups import andon
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def hold_orders_when_andon_pulled(
    event: inbound.AndonPulled, _: Envelope, uow: UnitOfWork
) -> None:
    if event.target_kind not in AndonPull.hits:
        return  # no stream for a pull that stops nothing here
    stop = AndonStop(event.pull_id, event.target_kind, event.target_id, event.reason)
    pull = await uow.get_or_create(AndonPull, str(event.pull_id))
    pull.note(stop)
    if pull.cleared:
        return  # resolved before we saw the pull: nothing to hold
    for order_id in await andon.orders_stopped_by(uow.conn, stop):
        if (order := await uow.get(Order, order_id)) is not None:
            order.hold_for_pull(stop)


async def resume_orders_when_andon_resolved(
    event: inbound.AndonResolved, _: Envelope, uow: UnitOfWork
) -> None:
    pull = await uow.get_or_create(AndonPull, str(event.pull_id))
    pull.clear()
    reason = f"andon resolved: {event.root_cause}" if event.root_cause else "andon resolved"
    for order_id in await andon.orders_held_by(uow.conn, event.pull_id):
        if (order := await uow.get(Order, order_id)) is not None:
            order.lift_pull_hold(event.pull_id, reason)

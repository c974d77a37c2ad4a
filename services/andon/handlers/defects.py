"""Repeated defects: complaints and returns per SKU; too many within the window stop the SKU."""

from datetime import datetime

from services.andon import inbound
from services.andon.commands import RecordComplaint
from services.andon.domain import (
    DefectPolicy,
    DefectRule,
    DefectWatch,
    Pull,
    UnknownTargetError,
)
from services.andon.events import Category, TargetKind
from services.andon.handlers.cord import pull_cord, watched_order
from shared.envelope import Envelope
from shared.errors import InvalidRequestError
from shared.unit_of_work import UnitOfWork

DEFECT_WATCH = "defect-watch"


async def record_complaint(cmd: RecordComplaint, uow: UnitOfWork) -> None:
    now = uow.now()
    async with uow:
        order = await watched_order(uow, str(cmd.order_id))
        if order is None:
            raise UnknownTargetError(TargetKind.ORDER, str(cmd.order_id))
        if cmd.sku not in order.ordered and cmd.sku not in order.stock:
            raise InvalidRequestError(
                "the complaint names a SKU the order never had",
                errors=[{"field": "sku", "message": f"{cmd.sku!r} is not on the order"}],
            )
        watch = await _defect_watch(uow, cmd.sku)
        watch.record_complaint(
            cmd.complaint_id,
            order_id=cmd.order_id,
            reason=cmd.reason,
            recorded_by=cmd.recorded_by,
            now=now,
        )
        await _stop_if_repeated(uow, watch, now)
        await uow.commit()


async def count_defects_when_return_recorded(
    event: inbound.ReturnRecorded, envelope: Envelope, uow: UnitOfWork
) -> None:
    """One return counts once per SKU it sends back, whatever the quantity."""
    for sku in sorted({line.sku for line in event.lines}):
        watch = await _defect_watch(uow, sku)
        watch.record_return(order_id=event.order_id, reason=event.reason, at=envelope.occurred_at)
        await _stop_if_repeated(uow, watch, envelope.occurred_at)


async def adopt_defect_rule(event: inbound.PolicyChanged, uow: UnitOfWork) -> None:
    rule = event.defects
    if rule is None or rule.count < 1 or rule.window_minutes < 1:
        return  # a policy without a (sane) defect rule keeps the rule in force
    policy = await uow.get_or_create(DefectPolicy, DefectPolicy.ID)
    policy.adopt(DefectRule(count=rule.count, window_minutes=rule.window_minutes))


async def _defect_watch(uow: UnitOfWork, sku: str) -> DefectWatch:
    return await uow.get_or_create(DefectWatch, sku)


async def _stop_if_repeated(uow: UnitOfWork, watch: DefectWatch, now: datetime) -> None:
    rule = (await uow.get(DefectPolicy, DefectPolicy.ID) or DefectPolicy()).rule
    if watch.check(rule, now=now):
        pull = Pull(
            reason=f"{rule.count} or more returns/complaints within {rule.window_minutes} minutes",
            category=Category.QUALITY,
            pulled_by=DEFECT_WATCH,
            automatic=True,
        )
        await pull_cord(uow, TargetKind.SKU, watch.id, pull, now=now)

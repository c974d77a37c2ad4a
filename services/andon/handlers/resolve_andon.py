"""Resolve an andon: ops record the root cause and the fix; the holds it placed lift, and the
pull becomes an improvement item audited later for recurrence."""

from datetime import datetime

from services.andon import lookups
from services.andon.commands import ResolveAndon
from services.andon.domain import AndonTarget, PullNotFoundError, target_id_of
from services.andon.domain.improvement import DEFAULT_AUDIT_AFTER, Fix, Improvement, ResolvedPull
from services.andon.events import Category, TargetKind
from services.andon.handlers.cord import release_holds
from shared.envelope import parse_time
from shared.unit_of_work import UnitOfWork


async def resolve_andon(cmd: ResolveAndon, uow: UnitOfWork) -> None:
    now = uow.now()
    async with uow:
        row = await lookups.pulls.pull(uow.conn, str(cmd.pull_id))
        if row is None:
            raise PullNotFoundError(str(cmd.pull_id))
        target_id = target_id_of(TargetKind(row["target_kind"]), row["target_id"])
        target = await uow.get(AndonTarget, target_id)
        if target is None:
            raise PullNotFoundError(str(cmd.pull_id))
        kind = TargetKind(row["target_kind"])
        # Counted before the holds lift: the orders the stop held are the cause's cost.
        affected = await lookups.watch.affected_orders(uow.conn, kind, row["target_id"])
        target.resolve(
            cmd.pull_id,
            root_cause=cmd.root_cause,
            fix=cmd.fix,
            resolved_by=cmd.resolved_by,
            now=now,
        )
        resolved = ResolvedPull(
            pull_id=cmd.pull_id,
            category=Category(row["category"]),
            target_kind=kind,
            target_id=row["target_id"],
            pulled_at=parse_time(row["pulled_at"]),
            orders_affected=len(affected),
        )
        uow.add(Improvement.open(resolved, _fix(cmd, now), now))
        await release_holds(uow, cmd.pull_id, now=now)
        await uow.commit()


def _fix(cmd: ResolveAndon, now: datetime) -> Fix:
    return Fix(
        cause_code=cmd.cause_code,
        root_cause=cmd.root_cause.strip(),
        countermeasure=cmd.fix.strip(),
        owner=cmd.owner or cmd.resolved_by,
        audit_at=cmd.audit_at or now + DEFAULT_AUDIT_AFTER,
    )

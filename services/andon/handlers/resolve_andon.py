"""Resolve an andon: ops record the root cause and the fix; the holds it placed lift."""

from services.andon import views
from services.andon.commands import ResolveAndon
from services.andon.domain import AndonTarget, PullNotFoundError, target_id_of
from services.andon.events import TargetKind
from services.andon.handlers.cord import release_holds
from shared.unit_of_work import UnitOfWork


async def resolve_andon(cmd: ResolveAndon, uow: UnitOfWork) -> None:
    now = uow.now()
    async with uow:
        row = await views.pulls.pull(uow.conn, str(cmd.pull_id))
        if row is None:
            raise PullNotFoundError(str(cmd.pull_id))
        target_id = target_id_of(TargetKind(row["target_kind"]), row["target_id"])
        target = await uow.get(AndonTarget, target_id)
        if target is None:
            raise PullNotFoundError(str(cmd.pull_id))
        target.resolve(
            cmd.pull_id,
            root_cause=cmd.root_cause,
            fix=cmd.fix,
            resolved_by=cmd.resolved_by,
            now=now,
        )
        await release_holds(uow, cmd.pull_id, now=now)
        await uow.commit()

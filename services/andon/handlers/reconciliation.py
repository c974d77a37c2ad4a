"""Reconciliation: prove every watched order is in an active step or terminal; name the lost."""

from services.andon import views
from services.andon.commands import Reconcile
from services.andon.domain import ReconciliationRun, find_lost
from services.andon.events import ReconciliationCompleted
from services.andon.handlers.gaps import running_clocks
from shared.unit_of_work import UnitOfWork


async def reconcile(cmd: Reconcile, uow: UnitOfWork) -> ReconciliationCompleted:
    now = uow.now()
    async with uow:
        clocks = await running_clocks(uow.conn, since_before=now)
        lost = find_lost(clocks, now=now, timeouts=cmd.timeouts)
        run = ReconciliationRun(str(cmd.run_id))
        uow.add(run)
        run.complete(checked=await views.watch.watched_count(uow.conn), lost=lost, now=now)
        envelopes = await uow.commit()
    return ReconciliationCompleted.model_validate(envelopes[-1].data)

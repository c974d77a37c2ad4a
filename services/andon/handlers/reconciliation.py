"""Reconciliation: prove every watched order is in an active step or terminal; name the lost."""

from services.andon import views
from services.andon.commands import Reconcile
from services.andon.domain import HAND_OFFS, ReconciliationRun, find_lost
from services.andon.events import ReconciliationCompleted
from services.andon.handlers.gaps import overdue_clocks, timeouts_in_force
from shared.unit_of_work import UnitOfWork

# Lost hand-offs one report lists: a flood is named by its first thousand.
LOST_PER_REPORT = 1000


async def reconcile(cmd: Reconcile, uow: UnitOfWork) -> ReconciliationCompleted:
    now = uow.now()
    async with uow:
        timeouts = await timeouts_in_force(uow, cmd.timeouts)
        clocks = await overdue_clocks(
            uow.conn,
            now=now,
            timeouts=timeouts,
            steps=HAND_OFFS,
            gap_reported=True,
            limit=LOST_PER_REPORT,
        )
        lost = find_lost(clocks, now=now, timeouts=timeouts)
        run = ReconciliationRun(str(cmd.run_id))
        uow.add(run)
        run.complete(checked=await views.watch.watched_count(uow.conn), lost=lost, now=now)
        envelopes = await uow.commit()
    return ReconciliationCompleted.model_validate(envelopes[-1].data)

"""Reconciliation: prove every watched order is in an active step or terminal; name the lost."""

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from services.andon import views
from services.andon.domain import ReconciliationRun, Timeouts, find_lost
from services.andon.events import ReconciliationCompleted
from services.andon.handlers.gaps import running_clocks
from services.andon.settings import AndonSettings
from shared.commands import run_command
from shared.runtime import ServiceRuntime
from shared.unit_of_work import UnitOfWork


async def reconcile(
    uow: UnitOfWork, run_id: UUID, now: datetime, timeouts: Timeouts
) -> ReconciliationCompleted:
    async with uow:
        clocks = await running_clocks(uow.conn, since_before=now)
        lost = find_lost(clocks, now=now, timeouts=timeouts)
        run = ReconciliationRun(str(run_id))
        uow.add(run)
        run.complete(checked=await views.watch.watched_count(uow.conn), lost=lost, now=now)
        envelopes = await uow.commit()
    return ReconciliationCompleted.model_validate(envelopes[-1].data)


async def reconcile_now(runtime: ServiceRuntime) -> ReconciliationCompleted:
    timeouts = AndonSettings().timeouts()
    return await run_command(
        reconcile, runtime.unit_of_work(), uuid4(), runtime.clock.now(), timeouts
    )


# Process memory is enough: a restart at worst reconciles once more than needed.
_last_run: dict[int, datetime] = {}


async def reconcile_on_schedule(runtime: ServiceRuntime) -> None:
    """Every `reconcile_every_seconds`, whatever GAPLESS_SCHEDULE_INTERVAL_SECONDS says: each run
    is an event, and a demo running schedules every second must not fill the store with them."""
    every = timedelta(seconds=AndonSettings().reconcile_every_seconds)
    now = runtime.clock.now()
    last = _last_run.get(id(runtime))
    if last is not None and now - last < every:
        return
    _last_run[id(runtime)] = now
    await reconcile_now(runtime)

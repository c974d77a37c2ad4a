"""The gap watchdog: an overdue hand-off is a gap, reported once and pulled as an andon."""

from datetime import datetime
from uuid import UUID

from services.andon import views
from services.andon.commands import DetectGaps
from services.andon.domain import OWNER, OrderWatch, Pull, RunningClock, Step, Timeouts, find_lost
from services.andon.events import Category, TargetKind
from services.andon.handlers.cord import pull_cord
from shared import context
from shared.db import Connection
from shared.envelope import parse_time
from shared.unit_of_work import UnitOfWork

GAP_WATCHDOG = "gap-watchdog"
# Orders one round reports: the next round, seconds later, takes the rest.
ORDERS_PER_ROUND = 200


async def running_clocks(conn: Connection, *, since_before: datetime) -> list[RunningClock]:
    rows = await views.watch.active_hand_offs(conn, since_before=since_before)
    return [
        RunningClock(
            order_id=UUID(row["order_id"]),
            step=Step(row["step"]),
            since=parse_time(row["since"]),
            due_floor=None if row["due_floor"] is None else parse_time(row["due_floor"]),
            gap_open=bool(row["gap_open"]),
        )
        for row in rows
    ]


async def detect_gaps(cmd: DetectGaps, uow: UnitOfWork) -> int:
    """Report overdue hand-offs as gaps, each with an automatic andon on its order; returns
    how many. The clocks come from the read model; each order's watch decides afresh.

    Replicas may run it at once: the loser's append conflicts, it re-reads the watches, finds
    the gaps already recorded and reports nothing twice.
    """
    now, timeouts = uow.now(), cmd.timeouts
    # No clock younger than the shortest timeout can be overdue: skip reading those.
    shortest = min(timeouts.answer, timeouts.release_grace, timeouts.shipment)
    reported = 0
    async with uow:
        clocks = await running_clocks(uow.conn, since_before=now - shortest)
        lost = find_lost(clocks, now=now, timeouts=timeouts)
        for order_id in sorted({h.order_id for h in lost if not h.gap_detected}, key=str)[
            :ORDERS_PER_ROUND
        ]:
            reported += await _report_gaps(uow, order_id, now, timeouts)
        await uow.commit()
    return reported


async def _report_gaps(uow: UnitOfWork, order_id: UUID, now: datetime, timeouts: Timeouts) -> int:
    watch = await uow.get(OrderWatch, str(order_id))
    if watch is None:
        return 0
    late = watch.overdue(now, timeouts)
    with context.flow(order_id):
        for step, due in late:
            pull = Pull(
                reason=f"gap: {step} from {OWNER[step]} was due by {due.isoformat()}",
                category=Category.PROCESS,
                pulled_by=GAP_WATCHDOG,
                automatic=True,
                details={"step": str(step), "expected_by": due.isoformat()},
            )
            pull_id, _ = await pull_cord(uow, TargetKind.ORDER, str(order_id), pull, now=now)
            watch.record_gap(step, expected_by=due, now=now, pull_id=pull_id)
        await uow.flush()
    return len(late)

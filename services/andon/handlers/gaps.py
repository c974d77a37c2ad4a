"""The gap watchdog: an overdue hand-off or waiting state is a gap, reported once and pulled as
an andon routed to whoever has the next move."""

import json
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from services.andon import lookups
from services.andon.commands import DetectGaps
from services.andon.domain import (
    OWNER,
    DeadlinePolicy,
    OrderWatch,
    Pull,
    RunningClock,
    Step,
    Timeouts,
    find_lost,
)
from services.andon.domain.routing import GAP_ROUTES
from services.andon.events import Category, LostHandOff, TargetKind
from services.andon.handlers.cord import pull_cord
from shared import context
from shared.db import Connection
from shared.envelope import parse_time
from shared.unit_of_work import UnitOfWork

GAP_WATCHDOG = "gap-watchdog"
# Orders one round reports: the next round, seconds later, takes the rest.
ORDERS_PER_ROUND = 200
CLOCKS_PER_ROUND = 1000


async def lost_hand_offs(
    uow: UnitOfWork,
    settings: Timeouts,
    *,
    now: datetime,
    steps: Iterable[Step],
    gap_reported: bool,
    limit: int,
) -> tuple[Timeouts, list[LostHandOff]]:
    """The timeouts in force (the settings' with the policy's deadlines of waiting states) and
    the hand-offs of `steps` overdue under them, at most `limit` clocks read."""
    policy = await uow.get(DeadlinePolicy, DeadlinePolicy.ID) or DeadlinePolicy()
    timeouts = policy.deadlines.applied_to(settings)
    bounds = {
        str(step): (now - timeouts.after_start(step), now - timeouts.after_floor(step))
        for step in steps
    }
    rows = await lookups.watch.overdue_hand_offs(
        uow.conn, bounds, gap_reported=gap_reported, limit=limit
    )
    clocks = [
        RunningClock(
            order_id=UUID(row["order_id"]),
            step=Step(row["step"]),
            since=parse_time(row["since"]),
            due_floor=None if row["due_floor"] is None else parse_time(row["due_floor"]),
            gap_open=bool(row["gap_open"]),
        )
        for row in rows
    ]
    return timeouts, find_lost(clocks, now=now, timeouts=timeouts)


async def detect_gaps(cmd: DetectGaps, uow: UnitOfWork) -> int:
    """Report overdue steps as gaps, each with an automatic andon on its order; returns how
    many. The clocks come from the lookups; each order's watch decides afresh.

    Replicas may run it at once: the loser's append conflicts, it re-reads the watches, finds
    the gaps already recorded and reports nothing twice.
    """
    now = uow.now()
    reported = 0
    async with uow:
        timeouts, lost = await lost_hand_offs(
            uow, cmd.timeouts, now=now, steps=Step, gap_reported=False, limit=CLOCKS_PER_ROUND
        )
        for order_id in sorted({h.order_id for h in lost}, key=str)[:ORDERS_PER_ROUND]:
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
            category, departments = await _route(uow.conn, step, watch)
            pull = Pull(
                reason=f"gap: {step} from {OWNER[step]} was due by {due.isoformat()}",
                category=category,
                pulled_by=GAP_WATCHDOG,
                automatic=True,
                details={"step": str(step), "expected_by": due.isoformat()},
                departments=departments,
            )
            pull_id, _ = await pull_cord(uow, TargetKind.ORDER, str(order_id), pull, now=now)
            watch.record_gap(step, expected_by=due, now=now, pull_id=pull_id)
        await uow.flush()
    return len(late)


async def _route(
    conn: Connection, step: Step, watch: OrderWatch
) -> tuple[Category, tuple[str, ...]]:
    """The step's owners; an andon hold's are the departments of the pulls that hold it."""
    category, departments = GAP_ROUTES[step]
    if step is not Step.ANDON_HOLD:
        return category, departments
    pulls = await lookups.pulls.routing_of(conn, watch.andon_pulls())
    if not pulls:
        return category, departments
    owners = dict.fromkeys(d for row in pulls for d in json.loads(row["departments"]))
    return Category(pulls[0]["category"]), tuple(owners)

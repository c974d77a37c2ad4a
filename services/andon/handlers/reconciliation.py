"""Reconciliation: prove every watched order is in an active step or terminal and name the lost
hand-offs; ask every service for its facts about the next page of orders and compare them."""

from services.andon import inbound, lookups
from services.andon.commands import Reconcile
from services.andon.domain import (
    HAND_OFFS,
    CrossCheck,
    CrossCheckCursor,
    ReconciliationRun,
)
from services.andon.events import ReconciliationCompleted
from services.andon.handlers.gaps import lost_hand_offs
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork

# Lost hand-offs one report lists: a flood is named by its first thousand.
LOST_PER_REPORT = 1000


async def reconcile(cmd: Reconcile, uow: UnitOfWork) -> ReconciliationCompleted:
    now = uow.now()
    async with uow:
        timeouts, lost = await lost_hand_offs(
            uow, cmd.timeouts, now=now, steps=HAND_OFFS, gap_reported=True, limit=LOST_PER_REPORT
        )
        run = ReconciliationRun(str(cmd.run_id))
        uow.add(run)
        run.complete(checked=await lookups.watch.watched_count(uow.conn), lost=lost, now=now)
        cursor = await uow.get(CrossCheckCursor, CrossCheckCursor.ID) or CrossCheckCursor()
        cross_check = CrossCheck(str(cmd.run_id))
        uow.add(cross_check)
        cross_check.start(after=cursor.after, limit=cmd.page_size, settle=timeouts.answer, now=now)
        envelopes = await uow.commit()
    completed = next(e for e in envelopes if e.event_type == "ReconciliationCompleted")
    return ReconciliationCompleted.model_validate(completed.data)


# Which service answers with which event.
ANSWERED_BY = {
    "OrderFactsReported": "order",
    "StockFactsReported": "inventory",
    "CreditFactsReported": "credit",
    "FulfillmentFactsReported": "fulfillment",
}


async def note_facts_when_facts_reported(
    event: inbound.FactsReported, envelope: Envelope, uow: UnitOfWork
) -> None:
    """A run that completes moves the cursor on: the next run asks for the page after it."""
    cross_check = await uow.get(CrossCheck, str(event.run_id))
    if cross_check is None or cross_check.completed:
        return  # not this andon's request, or answered already
    service = ANSWERED_BY[envelope.event_type]
    cross_check.note(service, event.orders, event.page_end, now=envelope.occurred_at)
    if cross_check.completed:
        cursor = await uow.get_or_create(CrossCheckCursor, CrossCheckCursor.ID)
        cursor.move(cross_check.through)

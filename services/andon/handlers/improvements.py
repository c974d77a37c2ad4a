"""The improvement loop: audit due countermeasures for recurrence; owners revise reopened ones."""

import logging
from uuid import UUID

from services.andon import lookups
from services.andon.commands import AuditImprovements, ReviseImprovement
from services.andon.domain.improvement import DEFAULT_AUDIT_AFTER, Improvement
from services.andon.lookups.improvements import DueItem
from shared.errors import NotFoundError
from shared.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)
# Items one round audits: the schedule sends the command again while a round is full.
AUDITS_PER_ROUND = 100


async def audit_improvements(_: AuditImprovements, uow: UnitOfWork) -> int:
    """Audit every item whose audit date has come; the number audited.

    Replicas may run it at once: the loser's append conflicts, it re-reads the items, finds
    them audited and audits nothing twice.
    """
    now = uow.now()
    audited: list[tuple[DueItem, list[str]]] = []
    async with uow:
        for item in await lookups.improvements.due(uow.conn, now, limit=AUDITS_PER_ROUND):
            recurring = await lookups.improvements.recurrences(uow.conn, item, now)
            improvement = await uow.get(Improvement, item.item_id)
            if improvement is not None and improvement.audit([UUID(p) for p in recurring], now):
                audited.append((item, recurring))
        await uow.commit()
    for item, recurring in audited:
        logger.info(
            "improvement audited",
            extra={
                "item_id": item.item_id,
                "outcome": "reopened" if recurring else "effective",
                "owner": item.owner,
                "evidence": recurring,
            },
        )
    return len(audited)


async def revise_improvement(cmd: ReviseImprovement, uow: UnitOfWork) -> None:
    now = uow.now()
    async with uow:
        item = await uow.get(Improvement, str(cmd.item_id))
        if item is None:
            raise NotFoundError(f"improvement {cmd.item_id} not found")
        audit_at = cmd.audit_at or now + DEFAULT_AUDIT_AFTER
        item.revise(cmd.countermeasure, audit_at, now)
        await uow.commit()

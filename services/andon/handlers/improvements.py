"""The improvement loop: audit due countermeasures for recurrence; owners revise reopened ones."""

import logging
from datetime import datetime
from uuid import UUID

from services.andon import views
from services.andon.commands import ReviseImprovement
from services.andon.domain.improvement import DEFAULT_AUDIT_AFTER, Improvement
from shared.errors import NotFoundError
from shared.runtime import ServiceRuntime
from shared.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


async def audit_improvements(runtime: ServiceRuntime) -> int:
    """Audit every item whose audit date has come; the number audited."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as conn:
        due = await views.improvements.due(conn, now)
    audited = 0
    for item in due:
        async with runtime.unit_of_work() as uow:
            recurring = await views.improvements.recurrences(uow.conn, item, now)
            improvement = await uow.get(Improvement, item["item_id"])
            if improvement is None or not improvement.audit([UUID(p) for p in recurring], now):
                continue  # another replica audited it first
            await uow.commit()
        audited += 1
        logger.info(
            "improvement audited",
            extra={
                "item_id": item["item_id"],
                "outcome": "reopened" if recurring else "effective",
                "owner": item["owner"],
                "evidence": recurring,
            },
        )
    return audited


async def audit_on_schedule(runtime: ServiceRuntime) -> None:
    await audit_improvements(runtime)


async def revise_improvement(cmd: ReviseImprovement, uow: UnitOfWork, now: datetime) -> None:
    async with uow:
        item = await uow.get(Improvement, str(cmd.item_id))
        if item is None:
            raise NotFoundError(f"improvement {cmd.item_id} not found")
        audit_at = cmd.audit_at or now + DEFAULT_AUDIT_AFTER
        item.revise(cmd.countermeasure, audit_at, now)
        await uow.commit()


__all__ = ["audit_improvements", "audit_on_schedule", "revise_improvement"]

"""Improvement routes: the items, the Pareto of causes, owners, repeat offenders, revisions."""

from datetime import timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from services.andon import views
from services.andon.commands import ReviseImprovement
from services.andon.domain.improvement import ROOT_CAUSES, UNCLASSIFIED
from services.andon.schemas import CountermeasureRevise, ImprovementReport
from shared.auth import Ops, Staff
from shared.runtime import ServiceRuntime, runtime_of

Runtime = Annotated[ServiceRuntime, runtime_of("andon")]

router = APIRouter(prefix="/v1/improvements", tags=["improvements"])


@router.get("", response_model=ImprovementReport)
async def improvements(
    _: Staff,
    runtime: Runtime,
    status: Literal["awaiting_audit", "effective", "reopened"] | None = None,
    owner: Annotated[str | None, Query(max_length=200)] = None,
    days: Annotated[int, Query(ge=1, le=366, description="items fixed in the last days")] = 90,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ImprovementReport:
    """Improvement items with the Pareto of root causes, open items by owner, repeat
    offenders and the recurrence rate after a fix."""
    since = runtime.clock.now() - timedelta(days=days)
    async with runtime.db.transaction() as conn:
        return await views.improvements.report(
            conn, status=status, owner=owner, since=since, limit=limit
        )


@router.get("/causes")
async def causes(_: Staff) -> dict[str, list[str]]:
    """The root-cause codes a resolve may name, per category."""
    return {str(c): [*codes, UNCLASSIFIED] for c, codes in ROOT_CAUSES.items()}


@router.post("/{item_id}/countermeasure", status_code=204)
async def revise(item_id: UUID, body: CountermeasureRevise, _: Ops, runtime: Runtime) -> None:
    """A new countermeasure for a reopened item; it is audited again at `audit_at`."""
    command = ReviseImprovement(
        item_id=item_id, countermeasure=body.countermeasure, audit_at=body.audit_at
    )
    await runtime.send(command)


ROUTERS = (router,)

"""Andon HTTP API: pull and resolve, the board and its stats, complaints, gaps, reconciliation."""

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request, Response, status

from services.andon import improvements_api, views
from services.andon.commands import PullAndon, Reconcile, RecordComplaint, ResolveAndon
from services.andon.domain import PullNotFoundError
from services.andon.schemas import (
    AndonPullAccepted,
    AndonPullCreate,
    AndonPullPublic,
    AndonResolve,
    AndonStats,
    ComplaintAccepted,
    ComplaintCreate,
    ComplaintPublic,
    CrossCheckPublic,
    GapPublic,
    ReconciliationReport,
)
from services.andon.settings import AndonSettings
from shared import paging
from shared.auth import Ops, Staff
from shared.errors import NotFoundError
from shared.idempotency import OnceByKey, OnceByOptionalKey
from shared.runtime import ServiceRuntime, runtime_of

Runtime = Annotated[ServiceRuntime, runtime_of("andon")]

andon_router = APIRouter(prefix="/v1/andon", tags=["andon"])


@andon_router.post(
    "/pulls",
    status_code=status.HTTP_201_CREATED,
    response_model=AndonPullAccepted,
    responses={200: {"model": AndonPullAccepted, "description": "The target's open pull"}},
)
async def pull(
    body: AndonPullCreate,
    response: Response,
    principal: Staff,
    runtime: Runtime,
    once: OnceByOptionalKey,
) -> Any:
    """Stop the line: 201 for a new pull, 200 with the open pull when the target has one."""
    command = PullAndon(
        target_kind=body.target.kind,
        target_id=body.target.id,
        reason=body.reason,
        category=body.category,
        pulled_by=body.pulled_by,
    )

    async def act() -> AndonPullAccepted:
        pull_id, new = await runtime.send(command)
        if not new:
            response.status_code = status.HTTP_200_OK
        return AndonPullAccepted(pull_id=pull_id, new=new)

    return await once.run(runtime.db, principal=principal.name, body=body, act=act)


@andon_router.get("/pulls", response_model=list[AndonPullPublic], responses=paging.LINKED)
async def board(
    _: Staff,
    request: Request,
    response: Response,
    page: paging.Paging,
    runtime: Runtime,
    open: bool = False,
    category: Annotated[str | None, Query(max_length=30)] = None,
    from_: paging.From = None,
    to: paging.To = None,
) -> list[AndonPullPublic]:
    """The andon board: pulls, newest first (`order=asc`: oldest first), with tickets;
    `open=true` for unresolved ones, by category and when pulled; `updated_since`: a change
    feed (pulled again, resolved). The next page is in the `Link` header."""
    where = paging.Where().equal("category", category).between("pulled_at", from_, to)
    if open:
        where.add("open = {}", True, param="open")
    async with runtime.db.transaction() as conn:
        found = await views.board.board(conn, where, page, now=runtime.clock.now())
    return paging.linked(request, response, found)


@andon_router.post("/pulls/{pull_id}/resolve", response_model=AndonPullPublic)
async def resolve(
    pull_id: UUID,
    body: AndonResolve,
    principal: Ops,
    runtime: Runtime,
    once: OnceByOptionalKey,
) -> Any:
    """Resolve a pull with its root cause and fix; the orders it held resume, and the pull
    becomes an improvement item audited for recurrence at `audit_at`."""
    command = ResolveAndon(
        pull_id=pull_id,
        root_cause=body.root_cause,
        fix=body.fix,
        resolved_by=principal.name,
        cause_code=body.cause_code,
        owner=body.owner,
        audit_at=body.audit_at,
    )

    async def act() -> AndonPullPublic:
        await runtime.send(command)
        async with runtime.db.transaction() as conn:
            row = await views.board.one_pull(conn, str(pull_id), now=runtime.clock.now())
        if row is None:
            raise PullNotFoundError(str(pull_id))
        return row

    return await once.run(runtime.db, principal=principal.name, body=body, act=act)


@andon_router.get("/stats", response_model=AndonStats)
async def stats(_: Staff, runtime: Runtime) -> AndonStats:
    """Pull count, open count and mean seconds to resolve, overall and per category; open gaps
    and gaps per 1,000 orders watched."""
    async with runtime.db.transaction() as conn:
        return await views.board.stats(conn)


cross_checks_router = APIRouter(prefix="/v1/reconciliation/runs", tags=["andon"])


@cross_checks_router.get("", response_model=list[CrossCheckPublic])
async def cross_checks(_: Staff, runtime: Runtime) -> list[CrossCheckPublic]:
    """The latest 20 cross-service checks, newest first."""
    async with runtime.db.transaction() as conn:
        rows = await views.cross_checks.runs(conn)
    return rows


@cross_checks_router.get("/{run_id}", response_model=CrossCheckPublic)
async def cross_check(run_id: UUID, _: Staff, runtime: Runtime) -> CrossCheckPublic:
    """One run's cross-service check: the services still to answer, then the findings."""
    async with runtime.db.transaction() as conn:
        rows = await views.cross_checks.runs(conn, run_id=str(run_id))
    if not rows:
        raise NotFoundError(f"reconciliation run {run_id} not found")
    return rows[0]


complaints_router = APIRouter(prefix="/v1/complaints", tags=["andon"])


@complaints_router.post("", status_code=status.HTTP_201_CREATED, response_model=ComplaintAccepted)
async def complain(
    body: ComplaintCreate,
    principal: Staff,
    runtime: Runtime,
    once: OnceByKey,
) -> Any:
    """Record a customer complaint about a SKU of an order (a defect)."""
    command = RecordComplaint(
        complaint_id=uuid4(),
        order_id=body.order_id,
        sku=body.sku,
        reason=body.reason,
        recorded_by=principal.name,
    )

    async def act() -> ComplaintAccepted:
        await runtime.send(command)
        return ComplaintAccepted(complaint_id=command.complaint_id)

    return await once.run(runtime.db, principal=principal.name, body=body, act=act)


@complaints_router.get("", response_model=list[ComplaintPublic], responses=paging.LINKED)
async def complaints(
    _: Staff,
    request: Request,
    response: Response,
    page: paging.Paging,
    runtime: Runtime,
    order_id: UUID | None = None,
    sku: Annotated[str | None, Query(max_length=200)] = None,
    from_: paging.From = None,
    to: paging.To = None,
) -> list[ComplaintPublic]:
    """Customer complaints, newest first (`order=asc`: oldest first), by order, SKU and
    when recorded; `updated_since`: a change feed. The next page is in the `Link` header."""
    where = (
        paging.Where()
        .equal("order_id", str(order_id) if order_id else None, feed=True)
        .equal("sku", sku, feed=True)
        .between("recorded_at", from_, to)
    )
    async with runtime.db.transaction() as conn:
        found = await views.complaints.complaints(conn, where, page)
    return paging.linked(request, response, found)


@complaints_router.get("/{complaint_id}", response_model=ComplaintPublic)
async def complaint(complaint_id: UUID, _: Staff, runtime: Runtime) -> ComplaintPublic:
    """One complaint, by the id its recording answered."""
    async with runtime.db.transaction() as conn:
        found = await views.complaints.complaint(conn, str(complaint_id))
    if found is None:
        raise NotFoundError(f"complaint {complaint_id} not found")
    return found


watchdog_router = APIRouter(tags=["andon"])


@watchdog_router.get("/v1/gaps", response_model=list[GapPublic], responses=paging.LINKED)
async def gaps(
    _: Staff,
    request: Request,
    response: Response,
    page: paging.Paging,
    runtime: Runtime,
    open: Annotated[
        bool, Query(description="false: closed gaps too (a change feed always has them)")
    ] = True,
    step: Annotated[str | None, Query(max_length=30)] = None,
    from_: paging.From = None,
    to: paging.To = None,
) -> list[GapPublic]:
    """Gaps: orders whose awaited hand-off is overdue, with the andon it pulled, the most
    overdue first (`order=desc`: the latest due first), by step and due time;
    `updated_since`: a change feed (detected, closed). The next page is in `Link`."""
    where = paging.Where().equal("step", step).between("expected_by", from_, to)
    if open and page.updated_since is None:
        where.add("open = {}", True, param="open")
    async with runtime.db.transaction() as conn:
        found = await views.board.gaps(conn, where, page, now=runtime.clock.now())
    return paging.linked(request, response, found)


@watchdog_router.post("/v1/reconciliation/run", response_model=ReconciliationReport)
async def reconcile(_: Ops, runtime: Runtime) -> ReconciliationReport:
    """Check every watched order is in an active step or terminal and list the lost
    hand-offs; ask every service for its facts about the next page of orders (the result at
    `GET /v1/reconciliation/runs/{run_id}` once they all answered)."""
    settings = AndonSettings()
    command = Reconcile(timeouts=settings.timeouts(), page_size=settings.reconcile_page_size)
    report = await runtime.send(command)
    return ReconciliationReport.model_validate(report.model_dump())


ROUTERS = (
    andon_router,
    watchdog_router,
    complaints_router,
    cross_checks_router,
    improvements_api.router,
)

"""Credit HTTP API: accounts (staff) and the manual review queue (ops decide)."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from services.credit import views
from services.credit.commands import DecideReview
from services.credit.domain import UnknownOrderError
from services.credit.schemas import CreditAccountPublic, ReviewDecision, ReviewPublic
from shared import paging
from shared.auth import Ops, Staff
from shared.idempotency import Once, OnceByOptionalKey
from shared.limits import PathIdentifier
from shared.runtime import ServiceRuntime, runtime_of

Runtime = Annotated[ServiceRuntime, runtime_of("credit")]

router = APIRouter(prefix="/v1/credit", tags=["credit"])


async def _decide(
    runtime: ServiceRuntime,
    once: Once,
    order_id: UUID,
    decision: Literal["approve", "reject"],
    body: ReviewDecision,
    by: str,
) -> Any:
    """Decide the order's open review (once per Idempotency-Key) and answer with it."""

    async def act() -> ReviewPublic:
        command = DecideReview(order_id=order_id, decision=decision, note=body.note, decided_by=by)
        await runtime.send(command)
        async with runtime.db.transaction() as conn:
            row = await views.latest_review(conn, order_id)
        if row is None:  # the decision committed, so its review row is there
            raise UnknownOrderError(order_id)
        return row

    return await once.run(runtime.db, principal=by, body=body, act=act)


@router.get("/accounts/{customer_id}", response_model=CreditAccountPublic)
async def account(customer_id: PathIdentifier, _: Staff, runtime: Runtime) -> CreditAccountPublic:
    """A customer's credit light, limit, threshold, exposure and open reviews."""
    async with runtime.db.transaction() as conn:
        return await views.account(conn, customer_id)


@router.get("/reviews", response_model=list[ReviewPublic], responses=paging.LINKED)
async def reviews(
    _: Staff,
    request: Request,
    response: Response,
    page: paging.Paging,
    runtime: Runtime,
    open: Annotated[
        bool,
        Query(description="only reviews awaiting a decision (a change feed has them all)"),
    ] = True,
    customer_id: Annotated[str | None, Query(max_length=100)] = None,
    from_: paging.From = None,
    to: paging.To = None,
) -> list[ReviewPublic]:
    """Credit reviews, oldest request first (`order=desc`: newest first): the open ones, or
    all with their decisions, by customer and request time; `updated_since`: a change feed
    (requested, decided). The next page is in the `Link` header."""
    where = (
        paging.Where()
        .equal("r.customer_id", customer_id, param="customer_id")
        .between("r.requested_at", from_, to)
    )
    if open and page.updated_since is None:
        where.add("r.status = {}", "open", param="open")
    async with runtime.db.transaction() as conn:
        found = await views.reviews(conn, where, page)
    return paging.linked(request, response, found)


@router.post("/reviews/{order_id}/approve", response_model=ReviewPublic)
async def approve(
    order_id: UUID,
    body: ReviewDecision,
    principal: Ops,
    runtime: Runtime,
    once: OnceByOptionalKey,
) -> Any:
    """Approve the order's open credit review: credit is approved and the order goes on."""
    return await _decide(runtime, once, order_id, "approve", body, principal.name)


@router.post("/reviews/{order_id}/reject", response_model=ReviewPublic)
async def reject(
    order_id: UUID,
    body: ReviewDecision,
    principal: Ops,
    runtime: Runtime,
    once: OnceByOptionalKey,
) -> Any:
    """Reject the order's open credit review: credit is declined and the order rejected."""
    return await _decide(runtime, once, order_id, "reject", body, principal.name)


ROUTERS = (router,)

"""Credit HTTP API: accounts (staff) and the manual review queue (ops decide)."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from services.credit import views
from services.credit.commands import DecideReview
from services.credit.domain import UnknownOrderError
from services.credit.schemas import CreditAccountPublic, ReviewDecision, ReviewPublic
from shared.auth import Ops, Staff
from shared.runtime import ServiceRuntime


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    router = APIRouter(prefix="/v1/credit", tags=["credit"])

    async def decided(
        order_id: UUID, decision: Literal["approve", "reject"], body: ReviewDecision, by: str
    ) -> ReviewPublic:
        command = DecideReview(order_id=order_id, decision=decision, note=body.note, decided_by=by)
        await runtime.send(command)
        async with runtime.db.transaction() as conn:
            row = await views.latest_review(conn, order_id)
        if row is None:  # the decision committed, so its review row is there
            raise UnknownOrderError(order_id)
        return ReviewPublic.from_row(row)

    @router.get("/accounts/{customer_id}", response_model=CreditAccountPublic)
    async def account(customer_id: str, _: Staff) -> CreditAccountPublic:
        """A customer's credit light, limit, threshold, exposure and open reviews."""
        async with runtime.db.transaction() as conn:
            return CreditAccountPublic.model_validate(await views.account(conn, customer_id))

    @router.get("/reviews", response_model=list[ReviewPublic])
    async def reviews(
        _: Staff,
        open: Annotated[bool, Query(description="only reviews awaiting a decision")] = True,
    ) -> list[ReviewPublic]:
        """Credit reviews, oldest first: the open ones, or all with their decisions."""
        async with runtime.db.transaction() as conn:
            rows = await views.reviews(conn, open_only=open)
        return [ReviewPublic.from_row(row) for row in rows]

    @router.post("/reviews/{order_id}/approve", response_model=ReviewPublic)
    async def approve(order_id: UUID, body: ReviewDecision, ops: Ops) -> ReviewPublic:
        """Approve the order's open credit review: credit is approved and the order goes on."""
        return await decided(order_id, "approve", body, ops.name)

    @router.post("/reviews/{order_id}/reject", response_model=ReviewPublic)
    async def reject(order_id: UUID, body: ReviewDecision, ops: Ops) -> ReviewPublic:
        """Reject the order's open credit review: credit is declined and the order rejected."""
        return await decided(order_id, "reject", body, ops.name)

    return [router]

"""Ops decide an open credit review: approve (the order goes on) or reject (it is declined)."""

from datetime import datetime
from functools import partial
from typing import Literal
from uuid import UUID

from services.credit.domain import UnknownOrderError
from services.credit.handlers.accounts import account_of_order, flow_of_order
from shared.unit_of_work import UnitOfWork

Decision = Literal["approve", "reject"]


async def decide_review(
    order_id: UUID,
    note: str,
    decided_by: str,
    now: datetime,
    uow: UnitOfWork,
    *,
    decision: Decision,
) -> None:
    async with uow:
        account = await account_of_order(uow, order_id)
        if account is None:
            raise UnknownOrderError(order_id)
        decide = account.approve_review if decision == "approve" else account.reject_review
        async with flow_of_order(uow, order_id):
            decide(order_id, note, decided_by, now)
        await uow.commit()


approve_review = partial(decide_review, decision="approve")
reject_review = partial(decide_review, decision="reject")

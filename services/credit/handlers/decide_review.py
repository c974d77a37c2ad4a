"""Ops decide an open credit review: approve (the order goes on) or reject (it is declined)."""

from services.credit.commands import DecideReview
from services.credit.domain import UnknownOrderError
from services.credit.handlers.accounts import account_of_order, flow_of_order
from shared.unit_of_work import UnitOfWork


async def decide_review(cmd: DecideReview, uow: UnitOfWork) -> None:
    async with uow:
        account = await account_of_order(uow, cmd.order_id)
        if account is None:
            raise UnknownOrderError(cmd.order_id)
        decide = account.approve_review if cmd.decision == "approve" else account.reject_review
        async with flow_of_order(uow, cmd.order_id):
            decide(cmd.order_id, cmd.note, cmd.decided_by, uow.now())
        await uow.commit()

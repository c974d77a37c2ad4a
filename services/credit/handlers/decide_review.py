"""Ops decide an open credit review: approve (the order goes on) or reject (it is declined)."""

from datetime import datetime
from uuid import UUID

from services.credit.domain import UnknownOrderError
from services.credit.handlers.accounts import account_of_order, flow_of_order
from shared.unit_of_work import UnitOfWork


async def approve_review(
    order_id: UUID, note: str, decided_by: str, now: datetime, uow: UnitOfWork
) -> None:
    async with uow:
        account = await account_of_order(uow, order_id)
        if account is None:
            raise UnknownOrderError(order_id)
        async with flow_of_order(uow, order_id):
            account.approve_review(order_id, note, decided_by, now)
        await uow.commit()


async def reject_review(
    order_id: UUID, note: str, decided_by: str, now: datetime, uow: UnitOfWork
) -> None:
    async with uow:
        account = await account_of_order(uow, order_id)
        if account is None:
            raise UnknownOrderError(order_id)
        async with flow_of_order(uow, order_id):
            account.reject_review(order_id, note, decided_by, now)
        await uow.commit()

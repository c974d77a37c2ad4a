"""Credit use cases."""

from services.credit import inbound
from services.credit.domain import CreditAccount
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def check_credit_when_order_placed(
    event: inbound.OrderPlaced, _: Envelope, uow: UnitOfWork
) -> None:
    account = await uow.get(CreditAccount, event.customer_id)
    if account is None:
        account = CreditAccount(event.customer_id)
        uow.add(account)
    account.check(event.order_id, event.total_cents)


async def credit_account(customer_id: str, uow: UnitOfWork) -> CreditAccount:
    async with uow:
        return await uow.get(CreditAccount, customer_id) or CreditAccount(customer_id)

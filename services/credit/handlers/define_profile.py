"""Keep each customer's credit profile as the order service last defined it."""

from services.credit import inbound
from services.credit.handlers.accounts import account_of_customer, flow_of_order
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def define_profile_when_customer_defined(
    event: inbound.CustomerDefined, envelope: Envelope, uow: UnitOfWork
) -> None:
    account = await account_of_customer(uow, event.customer_id)
    account.define_profile(
        event.credit_light, event.credit_limit_cents, event.review_threshold_cents
    )
    for order_id in account.reviews_awaiting_profile():
        async with flow_of_order(uow, order_id):
            account.settle_review_awaiting_profile(order_id, now=envelope.occurred_at)

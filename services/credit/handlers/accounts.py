"""Loading the credit account a use case acts on, and keying its events by their order."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from services.credit import lookups
from services.credit.domain import CreditAccount
from shared import context
from shared.unit_of_work import UnitOfWork


async def account_of_customer(uow: UnitOfWork, customer_id: str) -> CreditAccount:
    """The customer's account; a customer credit has not heard of gets a new, unknown one."""
    return await uow.get_or_create(CreditAccount, customer_id)


async def account_of_order(uow: UnitOfWork, order_id: UUID) -> CreditAccount | None:
    """The account that decided the order (order events after placement carry no customer)."""
    customer_id = await lookups.customer_of(uow.conn, order_id)
    if customer_id is None:
        return None
    return await uow.get(CreditAccount, customer_id)


@asynccontextmanager
async def flow_of_order(uow: UnitOfWork, order_id: UUID) -> AsyncIterator[None]:
    """Write the block's events as part of the order's flow.

    The correlation id is the partition key, so every credit event of one order must carry the
    order id to stay in order on its topic, even when its cause (a customer definition, an ops
    request) belongs to no order. The events are flushed before the flow ends for that reason.
    """
    with context.flow(order_id, context.causation_id.get()):
        yield
        await uow.flush()

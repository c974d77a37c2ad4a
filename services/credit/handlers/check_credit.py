"""Decide an order's credit by the traffic light when placed, and again when its total changes."""

import logging

from services.credit import inbound
from services.credit.handlers.accounts import account_of_customer, account_of_order, flow_of_order
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


async def check_credit_when_order_placed(
    event: inbound.OrderPlaced, _: Envelope, uow: UnitOfWork
) -> None:
    account = await account_of_customer(uow, event.customer_id)
    async with flow_of_order(uow, event.order_id):
        account.check(event.order_id, event.total_cents)


async def recheck_credit_when_order_changed(
    event: inbound.OrderChanged, envelope: Envelope, uow: UnitOfWork
) -> None:
    account = await account_of_order(uow, event.order_id)
    if account is None:
        logger.warning("order %s changed, but credit never saw it placed", event.order_id)
        return
    async with flow_of_order(uow, event.order_id):
        account.recheck(event.order_id, event.total_cents, now=envelope.occurred_at)

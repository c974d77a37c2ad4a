"""Release credit exposure when an order ends (cancelled, rejected), loses units to a short
pick, is paid, or has returned units credited."""

from services.credit import inbound
from services.credit.events import ReleaseReason
from services.credit.handlers.accounts import account_of_customer, account_of_order, flow_of_order
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork

ENDED_BECAUSE = {
    "OrderCancelled": ReleaseReason.CANCELLED,
    "OrderRejected": ReleaseReason.REJECTED,
}


async def release_credit_when_order_ended(
    event: inbound.OrderEnded, envelope: Envelope, uow: UnitOfWork
) -> None:
    account = await account_of_order(uow, event.order_id)
    if account is not None:
        reason = ENDED_BECAUSE[envelope.event_type]
        async with flow_of_order(uow, event.order_id):
            account.release(event.order_id, reason, now=envelope.occurred_at)


async def release_credit_when_order_short_picked(
    event: inbound.OrderShortPicked, _: Envelope, uow: UnitOfWork
) -> None:
    account = await account_of_order(uow, event.order_id)
    if account is not None:
        async with flow_of_order(uow, event.order_id):
            account.reduce(event.order_id, event.total_cents)


async def release_credit_when_payment_recorded(
    event: inbound.PaymentRecorded, _: Envelope, uow: UnitOfWork
) -> None:
    account = await account_of_customer(uow, event.customer_id)
    async with flow_of_order(uow, event.order_id):
        account.record_payment(
            event.invoice_id,
            event.order_id,
            amount_cents=event.amount_cents,
            paid_cents=event.paid_cents,
        )


async def release_credit_when_credit_note_issued(
    event: inbound.CreditNoteIssued, _: Envelope, uow: UnitOfWork
) -> None:
    account = await account_of_customer(uow, event.customer_id)
    async with flow_of_order(uow, event.order_id):
        account.record_credit_note(event.credit_note_id, event.order_id, event.applied_cents)

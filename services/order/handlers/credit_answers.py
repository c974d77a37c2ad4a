"""Reactions to the credit department's answers."""

from services.order import inbound
from services.order.domain import CreditAnswer, Reply
from services.order.handlers.loading import order_answered
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


def reply_to(envelope: Envelope) -> Reply:
    return Reply(answered_at=envelope.occurred_at, in_reply_to=envelope.causation_id)


def _credit(
    event: inbound.CreditApproved | inbound.CreditReviewRequired | inbound.CreditReleased,
    envelope: Envelope,
) -> CreditAnswer:
    # Credit records its answers on the customer's account: the envelope's version is the
    # account's, which orders the exposures it reports across all of the customer's orders.
    return CreditAnswer(
        event.customer_id, event.amount_cents, event.exposure_cents, envelope.aggregate_version
    )


async def release_order_when_credit_approved(
    event: inbound.CreditApproved, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    order.record_credit_approved(reply_to(envelope), _credit(event, envelope))


async def hold_order_when_credit_review_required(
    event: inbound.CreditReviewRequired, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    order.record_credit_review(reply_to(envelope), _credit(event, envelope), event.reason)


async def reject_order_when_credit_declined(
    event: inbound.CreditDeclined, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    order.record_credit_declined(reply_to(envelope), event.amount_cents, event.reason)


async def record_release_when_credit_released(
    event: inbound.CreditReleased, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    order.record_credit_released(reply_to(envelope), _credit(event, envelope), event.reason)

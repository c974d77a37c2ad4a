"""Events of the credit service; PUBLISHED lists those that leave it on `credit.events`."""

from typing import Final
from uuid import UUID

from pydantic import NonNegativeInt

from shared.messages import DomainEvent


class CreditApproved(DomainEvent):
    order_id: UUID
    customer_id: str
    amount_cents: NonNegativeInt
    exposure_cents: NonNegativeInt


class CreditDeclined(DomainEvent):
    order_id: UUID
    customer_id: str
    amount_cents: NonNegativeInt
    reason: str


PUBLISHED: Final = (CreditApproved, CreditDeclined)

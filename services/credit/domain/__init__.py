"""Credit domain: the traffic-light rules and the per-customer credit account."""

from services.credit.domain.account import (
    CreditAccount,
    NoOpenReviewError,
    OrderCredit,
    UnknownOrderError,
)
from services.credit.domain.rules import CreditProfile, review_reason

__all__ = [
    "CreditAccount",
    "CreditProfile",
    "NoOpenReviewError",
    "OrderCredit",
    "UnknownOrderError",
    "review_reason",
]

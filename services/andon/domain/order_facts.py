"""The facts the watchdog keeps per order and SKU, and how an andon hold is named."""

from dataclasses import dataclass
from uuid import UUID

CREDIT_ANSWERS = frozenset({"approved", "review", "declined"})
ANDON_HOLD = "andon:"
PATTERN_CHECK_HOLD = "pattern_check"


def andon_hold(pull_id: UUID) -> str:
    return f"{ANDON_HOLD}{pull_id}"


@dataclass
class Stock:
    """What inventory said about one SKU of the order."""

    answered: bool = False
    reserved: int = 0
    backordered: bool = False

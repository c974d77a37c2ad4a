"""Commands the credit service accepts."""

from typing import Literal
from uuid import UUID

from shared.messages import Command


class DecideReview(Command):
    """Ops decide an order's open credit review."""

    order_id: UUID
    decision: Literal["approve", "reject"]
    note: str
    decided_by: str

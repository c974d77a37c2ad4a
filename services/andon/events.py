"""Events of the andon service; PUBLISHED lists those that leave it on `andon.events`."""

from enum import StrEnum
from typing import Any, Final
from uuid import UUID

from shared.messages import DomainEvent


class TargetKind(StrEnum):
    SKU = "sku"
    ORDER = "order"
    CUSTOMER = "customer"
    STEP = "step"


class AndonRaised(DomainEvent):
    pull_id: UUID
    target_kind: TargetKind
    target_id: str
    reason: str
    category: str
    pulled_by: str
    automatic: bool
    details: dict[str, Any]


PUBLISHED: Final = (AndonRaised,)

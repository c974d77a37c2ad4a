"""HTTP models of the andon API."""

from typing import Any
from uuid import UUID

from pydantic import BaseModel


class AndonPullPublic(BaseModel):
    pull_id: UUID
    target_kind: str
    target_id: str
    reason: str
    category: str
    automatic: bool
    open: bool
    details: dict[str, Any]
    pulled_at: str

"""Andon pull aggregate: one per pull; pulling is recorded, never judged."""

from typing import Any
from uuid import UUID

from services.andon.events import AndonRaised, TargetKind
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


class AndonPull(Aggregate):
    stream_type = "andon-pull"
    event_classes = event_map(AndonRaised)

    def __init__(self, pull_id: str) -> None:
        super().__init__(pull_id)
        self.raised = False

    def raise_for_dead_letter(self, *, group: str, reason: str, details: dict[str, Any]) -> None:
        """A message a consumer could not process stops that step until someone looks."""
        if self.raised:
            return
        self._record(
            AndonRaised(
                pull_id=UUID(self.id),
                target_kind=TargetKind.STEP,
                target_id=group,
                reason=reason,
                category="process",
                pulled_by="dead-letter-watch",
                automatic=True,
                details=details,
            )
        )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case AndonRaised():
                self.raised = True

"""An andon pull as the order service noted it: open pulls on a customer or SKU hold new orders."""

from uuid import UUID

from services.order.domain.holds import AndonStop
from services.order.events import AndonPullCleared, AndonPullNoted
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


class AndonPull(Aggregate):
    """One stream per pull: noted once, cleared once (a resolution seen first wins)."""

    stream_type = "andon-pull"
    event_classes = event_map(AndonPullNoted, AndonPullCleared)

    def __init__(self, pull_id: str) -> None:
        super().__init__(pull_id)
        self.noted = False
        self.cleared = False

    @property
    def pull_id(self) -> UUID:
        return UUID(self.id)

    def note(self, stop: AndonStop) -> None:
        if not (self.noted or self.cleared):
            self._record(
                AndonPullNoted(
                    pull_id=self.pull_id,
                    target_kind=stop.target_kind,
                    target_id=stop.target_id,
                    reason=stop.reason,
                )
            )

    def clear(self) -> None:
        if not self.cleared:
            self._record(AndonPullCleared(pull_id=self.pull_id))

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case AndonPullNoted():
                self.noted = True
            case AndonPullCleared():
                self.cleared = True

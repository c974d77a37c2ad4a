"""Pick stop: one per andon pull on a SKU, order or customer, open until the pull is resolved."""

from uuid import UUID

from services.fulfillment.events import PicksResumed, PicksStopped
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent

# Pulls on a step hold nothing (a ticket for ops); other kinds are not ours to know.
HELD_KINDS = frozenset({"sku", "order", "customer"})


class PickStop(Aggregate):
    stream_type = "pick_stop"
    event_classes = event_map(PicksStopped, PicksResumed)

    def __init__(self, pull_id: str) -> None:
        super().__init__(pull_id)
        self.stopped = False
        self.resumed = False

    def stop(self, target_kind: str, target_id: str) -> None:
        """A pull seen again, or seen after its resolution, stops nothing."""
        if target_kind in HELD_KINDS and not (self.stopped or self.resumed):
            self._record(
                PicksStopped(pull_id=UUID(self.id), target_kind=target_kind, target_id=target_id)
            )

    def resume(self, target_kind: str, target_id: str) -> None:
        """Recorded even for a pull never seen here, so that it stops nothing if it comes late."""
        if target_kind in HELD_KINDS and not self.resumed:
            self._record(
                PicksResumed(pull_id=UUID(self.id), target_kind=target_kind, target_id=target_id)
            )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case PicksStopped():
                self.stopped = True
            case PicksResumed():
                self.resumed = True

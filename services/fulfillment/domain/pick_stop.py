"""Pick stop: one per andon pull on a SKU, order or customer, open until the pull is resolved."""

from services.fulfillment.events import PicksResumed, PicksStopped
from shared.stops import PullStop, PullTarget

# Pulls on a step hold nothing (a ticket for ops); other kinds are not ours to know.
HELD_KINDS = frozenset({"sku", "order", "customer"})


class PickStop(PullStop[PullTarget, PullTarget]):
    """Picks stopped by one pull: stopped once, resumed once (a resolution seen first wins)."""

    stream_type = "pick_stop"
    stopped_by = PicksStopped
    lifted_by = PicksResumed
    hits = HELD_KINDS

    def stop(self, target_kind: str, target_id: str) -> None:
        self._stop(PullTarget(target_kind, target_id))

    def resume(self, target_kind: str, target_id: str) -> None:
        self._lift(PullTarget(target_kind, target_id))

    def _stopped(self, target: PullTarget) -> PicksStopped:
        return PicksStopped(
            pull_id=self.pull_id, target_kind=target.target_kind, target_id=target.target_id
        )

    def _lifted(self, target: PullTarget) -> PicksResumed:
        return PicksResumed(
            pull_id=self.pull_id, target_kind=target.target_kind, target_id=target.target_id
        )

"""An andon pull as the order service noted it: open pulls on a customer or SKU hold new orders."""

from services.order.domain.holds import AndonStop
from services.order.events import AndonPullCleared, AndonPullNoted
from shared.stops import PullStop


class AndonPull(PullStop[AndonStop, None]):
    """One stream per pull: noted once, cleared once (a resolution seen first wins)."""

    stream_type = "andon-pull"
    stopped_by = AndonPullNoted
    lifted_by = AndonPullCleared
    # A step pull is a ticket for ops: it holds no order.
    hits = frozenset({"sku", "order", "customer"})

    @property
    def cleared(self) -> bool:
        return self.lifted

    def note(self, stop: AndonStop) -> None:
        self._stop(stop)

    def clear(self) -> None:
        self._lift(None)

    def _stopped(self, target: AndonStop) -> AndonPullNoted:
        return AndonPullNoted(
            pull_id=self.pull_id,
            target_kind=target.target_kind,
            target_id=target.target_id,
            reason=target.reason,
        )

    def _lifted(self, _: None) -> AndonPullCleared:
        return AndonPullCleared(pull_id=self.pull_id)

"""Holds: every hold opened or lifted is a published fact; andon holds follow their pulls."""

from dataclasses import dataclass
from uuid import UUID

from services.order.domain.answers import OrderAnswers
from services.order.domain.progress import fully_covered
from services.order.events import Hold, OrderHeld, OrderHoldLifted
from shared.messages import DomainEvent

# Why a hold opened or lifted as a side effect of another fact (the timeline shows it).
_BECAUSE = {
    "CreditReviewRecorded": "credit review required",
    "CreditApprovalRecorded": "credit approved",
    "StockBackorderRecorded": "stock backordered",
    "StockReservationRecorded": "every line reserved",
    "StockReleaseRecorded": "nothing left waiting for stock",
    "OrderConfirmed": "confirmed by the customer",
    "OrderChanged": "order changed",
}


@dataclass(frozen=True)
class AndonStop:
    """An open andon pull as the order service sees it: what it stops, and why."""

    pull_id: UUID
    target_kind: str  # sku, order, customer (a step stops no order)
    target_id: str
    reason: str


class OrderHolds(OrderAnswers):
    def hold(self, hold: Hold, reason: str) -> None:
        if hold not in self.state.holds and not self.state.ended:
            self._record(OrderHeld(order_id=self.order_id, hold=hold, reason=reason))

    def lift_hold(self, hold: Hold, reason: str) -> None:
        if hold in self.state.holds:
            self._record(OrderHoldLifted(order_id=self.order_id, hold=hold, reason=reason))
            self.release_if_ready()

    def hold_for_pull(self, stop: AndonStop) -> None:
        """Held by this pull if it stops the order; each pull holds (and lifts) on its own."""
        state = self.state
        if state.ended or stop.pull_id in state.andon_pulls or not self.stopped_by(stop):
            return
        self._record(
            OrderHeld(
                order_id=self.order_id, hold="andon", reason=stop.reason, pull_id=stop.pull_id
            )
        )

    def lift_pull_hold(self, pull_id: UUID, reason: str) -> None:
        """The pull was resolved: the order resumes by itself once no other pull holds it."""
        if pull_id not in self.state.andon_pulls:
            return
        self._record(
            OrderHoldLifted(
                order_id=self.order_id,
                hold="andon",
                reason=reason,
                pull_id=pull_id,
                still_held=len(self.state.andon_pulls) > 1,
            )
        )
        self.release_if_ready()

    def stopped_by(self, stop: AndonStop) -> bool:
        """order: that order; customer: theirs not fully shipped; sku: unreleased ones with it."""
        state = self.state
        if state.placed is None:
            return False
        match stop.target_kind:
            case "order":
                return stop.target_id == self.id
            case "customer":
                shipped = fully_covered(state.lines, state.shipped)
                return stop.target_id == state.placed.customer_id and not shipped
            case "sku":
                return stop.target_id in state.lines and not state.releases
        return False

    def _record(self, event: DomainEvent) -> None:
        # Holds that other facts open or lift (a credit review, a backorder, a confirmation)
        # are recorded as OrderHeld / OrderHoldLifted too, so every hold is visible outside.
        before = set(self.state.holds)
        super()._record(event)
        if isinstance(event, OrderHeld | OrderHoldLifted):
            return
        reason = _BECAUSE.get(event.event_type(), event.event_type())
        for opened in sorted(self.state.holds - before):
            super()._record(OrderHeld(order_id=self.order_id, hold=opened, reason=reason))
        for lifted in sorted(before - self.state.holds):
            super()._record(OrderHoldLifted(order_id=self.order_id, hold=lifted, reason=reason))

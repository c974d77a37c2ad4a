"""The deadlines of waiting states, as the order service's policy sets them (one stream)."""

from dataclasses import asdict, dataclass, replace
from datetime import timedelta

from services.andon.domain.steps import Timeouts
from services.andon.events import DeadlinesSet
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


@dataclass(frozen=True)
class Deadlines:
    """The order service's defaults: in force until its first `PolicyChanged` says otherwise."""

    credit_review_minutes: float = 8 * 60
    backorder_minutes: float = 3 * 24 * 60
    andon_hold_minutes: float = 4 * 60
    invoice_minutes: float = 60
    delivery_minutes: float = 3 * 24 * 60
    payment_term_days: float = 30

    def applied_to(self, timeouts: Timeouts) -> Timeouts:
        return replace(
            timeouts,
            credit_review=timedelta(minutes=self.credit_review_minutes),
            backorder=timedelta(minutes=self.backorder_minutes),
            andon_hold=timedelta(minutes=self.andon_hold_minutes),
            invoice=timedelta(minutes=self.invoice_minutes),
            delivery=timedelta(minutes=self.delivery_minutes),
            payment=timedelta(days=self.payment_term_days),
        )


class DeadlinePolicy(Aggregate):
    stream_type = "deadline-policy"
    event_classes = event_map(DeadlinesSet)
    ID = "current"

    def __init__(self, aggregate_id: str = ID) -> None:
        super().__init__(aggregate_id)
        self.deadlines = Deadlines()

    def adopt(self, deadlines: Deadlines) -> None:
        if deadlines != self.deadlines:
            self._record(DeadlinesSet(**asdict(deadlines)))

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case DeadlinesSet():
                self.deadlines = Deadlines(**event.model_dump())

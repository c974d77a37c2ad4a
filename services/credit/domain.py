"""Credit account aggregate: one per customer; tracks exposure of approved, unpaid orders."""

from uuid import UUID

from services.credit.events import CreditApproved, CreditDeclined
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


class CreditAccount(Aggregate):
    stream_type = "credit-account"
    event_classes = event_map(CreditApproved, CreditDeclined)

    def __init__(self, customer_id: str) -> None:
        super().__init__(customer_id)
        self.exposure_cents = 0
        self.decided: set[UUID] = set()

    def check(self, order_id: UUID, amount_cents: int) -> None:
        """Walking-skeleton rule: every customer is green, so every order is approved."""
        if order_id in self.decided:
            return
        self._record(
            CreditApproved(
                order_id=order_id,
                customer_id=self.id,
                amount_cents=amount_cents,
                exposure_cents=self.exposure_cents + amount_cents,
            )
        )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case CreditApproved():
                self.exposure_cents = event.exposure_cents
                self.decided.add(event.order_id)
            case CreditDeclined():
                self.decided.add(event.order_id)

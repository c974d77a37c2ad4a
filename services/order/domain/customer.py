"""Customer aggregate: credit profile and tier (ops master data) and the computed A/B/C class."""

from services.order.events import AbcClass, CreditLight, CustomerClassified, CustomerDefined, Tier
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


class Customer(Aggregate):
    stream_type = "customer"
    event_classes = event_map(CustomerDefined, CustomerClassified)

    def __init__(self, customer_id: str) -> None:
        super().__init__(customer_id)
        self.definition: CustomerDefined | None = None
        self.customer_class: AbcClass = "C"  # C until classified

    @property
    def tier(self) -> Tier:
        return self.definition.tier if self.definition is not None else "regular"

    def define(
        self,
        *,
        name: str,
        credit_light: CreditLight,
        credit_limit_cents: int,
        review_threshold_cents: int,
        tier: Tier,
    ) -> None:
        defined = CustomerDefined(
            customer_id=self.id,
            name=name,
            credit_light=credit_light,
            credit_limit_cents=credit_limit_cents,
            review_threshold_cents=review_threshold_cents,
            tier=tier,
        )
        if defined != self.definition:  # an unchanged PUT records nothing
            self._record(defined)

    def classify(self, customer_class: AbcClass, revenue_cents: int) -> None:
        if customer_class != self.customer_class:
            self._record(
                CustomerClassified(
                    customer_id=self.id, customer_class=customer_class, revenue_cents=revenue_cents
                )
            )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case CustomerDefined():
                self.definition = event
            case CustomerClassified():
                self.customer_class = event.customer_class

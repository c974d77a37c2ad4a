"""Which departments own a ticket: by reason category, plus sales when a customer is affected;
a gap's ticket goes to whoever has the next move in the overdue step."""

from services.andon.domain.steps import Step
from services.andon.events import Category, TargetKind

DEPARTMENTS_BY_CATEGORY: dict[Category, tuple[str, ...]] = {
    Category.QUALITY: ("quality",),
    Category.STOCK: ("warehouse",),
    Category.CREDIT: ("credit",),
    Category.TRANSPORT: ("shipping",),
    Category.PROCESS: ("operations",),
    Category.OTHER: ("operations",),
}
# A stopped order or customer means someone has to talk to the customer.
SALES_TARGETS = frozenset({TargetKind.ORDER, TargetKind.CUSTOMER})

# An overdue step: its andon's category and the departments that own it. A hand-off lost
# between services is operations'; a waiting state is late work of the department it waits
# for. An overdue andon hold goes to the departments of the pulls that hold the order.
GAP_ROUTES: dict[Step, tuple[Category, tuple[str, ...]]] = {
    Step.CREDIT_CHECK: (Category.PROCESS, ("operations",)),
    Step.STOCK_CHECK: (Category.PROCESS, ("operations",)),
    Step.RELEASE: (Category.PROCESS, ("operations",)),
    Step.SHIPMENT: (Category.PROCESS, ("operations",)),
    Step.INVOICE: (Category.PROCESS, ("billing",)),
    Step.DELIVERY: (Category.TRANSPORT, ("shipping",)),
    Step.PAYMENT: (Category.CREDIT, ("credit", "billing")),
    Step.CREDIT_REVIEW: (Category.CREDIT, ("credit",)),
    Step.PATTERN_CHECK: (Category.OTHER, ("sales", "customer_service")),
    Step.BACKORDER: (Category.STOCK, ("warehouse", "purchasing")),
    Step.ANDON_HOLD: (Category.PROCESS, ("operations",)),
}


def departments_for(
    category: Category, target_kind: TargetKind, owners: tuple[str, ...] | None = None
) -> tuple[str, ...]:
    """`owners`: the departments a pull names itself (a gap's); else its category's."""
    owners = owners or DEPARTMENTS_BY_CATEGORY[category]
    if target_kind in SALES_TARGETS and "sales" not in owners:
        return (*owners, "sales")
    return owners

"""Which departments own a ticket: by reason category, plus sales when a customer is affected."""

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


def departments_for(category: Category, target_kind: TargetKind) -> tuple[str, ...]:
    owners = DEPARTMENTS_BY_CATEGORY[category]
    if target_kind in SALES_TARGETS and "sales" not in owners:
        return (*owners, "sales")
    return owners

"""ABC classification (SPEC 2.1): ~80% of revenue is A, the next ~15% B, the rest C."""

from collections.abc import Mapping

from services.order.events import AbcClass

A_SHARE_PERCENT = 80
AB_SHARE_PERCENT = 95


def abc_classes(revenue_cents: Mapping[str, int]) -> dict[str, AbcClass]:
    """Class of every id: A = the smallest top set reaching 80% of revenue, B = up to 95%.

    Sorted by revenue (highest first), ties by id so the answer is stable; an id with no revenue
    is always C.
    """
    total = sum(revenue_cents.values())
    ranked = sorted(revenue_cents.items(), key=lambda item: (-item[1], item[0]))
    classes: dict[str, AbcClass] = {}
    before = 0
    for key, revenue in ranked:
        classes[key] = _class_of(before, revenue, total)
        before += revenue
    return classes


def _class_of(revenue_before: int, revenue: int, total: int) -> AbcClass:
    # An entry joins a class while the entries above it have not yet reached the class's share.
    if revenue <= 0:
        return "C"
    if revenue_before * 100 < A_SHARE_PERCENT * total:
        return "A"
    if revenue_before * 100 < AB_SHARE_PERCENT * total:
        return "B"
    return "C"

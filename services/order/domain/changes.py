"""What a change of lines touches, so that exactly those checks run again, and what they found."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.order.domain.holds import AndonStop
from services.order.domain.intake import OrderTerms
from services.order.domain.progress import line_changes
from services.order.events import OrderLine


@dataclass(frozen=True)
class Affected:
    """Credit (a new total) and stock (the deltas) follow `OrderChanged` in their services."""

    grows: bool  # a line gains units or is new: the pattern check
    new_skus: tuple[str, ...]  # SKUs the order did not have: open andon stops on them
    skus_changed: bool  # the order's SKUs differ: its segment, hence priority and deadline


def affected_by(old: Mapping[str, OrderLine], new: Sequence[OrderLine]) -> Affected:
    return Affected(
        grows=any(change.quantity_delta > 0 for change in line_changes(old, new)),
        new_skus=tuple(line.sku for line in new if line.sku not in old),
        skus_changed={line.sku for line in new} != set(old),
    )


@dataclass(frozen=True)
class Rechecked:
    """What the checks a change re-ran found; None or empty: not re-run, or nothing to act on."""

    unusual: str | None = None  # why the order as changed is unusual for the customer
    confirm_by: datetime | None = None  # when an unusual change is cancelled unless confirmed
    terms: OrderTerms | None = None  # the order's terms, when its segment changed
    stops: Sequence[AndonStop] = ()  # open andon pulls on the SKUs the change added

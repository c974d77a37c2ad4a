"""Pure rules over an order's quantities: what may be released, its status, what a change is."""

from collections.abc import Iterable, Mapping, Sequence, Set

from services.order.events import BackorderRule, LineChange, OrderLine, ShippedLine

# Holds that stop a release; `backorder` only marks that part of the order is still waiting.
BLOCKING_HOLDS = frozenset({"pattern_check", "credit_review", "andon"})


def releasable(
    lines: Mapping[str, OrderLine],
    reserved: Mapping[str, int],
    released: Mapping[str, int],
    rule: BackorderRule,
) -> list[OrderLine]:
    """Reserved units not yet released; with `wait_complete` only once every line is reserved."""
    ready = {sku: min(reserved.get(sku, 0), line.quantity) for sku, line in lines.items()}
    if rule == "wait_complete" and any(ready[sku] < line.quantity for sku, line in lines.items()):
        return []
    return [
        OrderLine(sku=sku, quantity=ready[sku] - released.get(sku, 0), unit_price_cents=price)
        for sku, price in ((sku, line.unit_price_cents) for sku, line in lines.items())
        if ready[sku] > released.get(sku, 0)
    ]


def fully_covered(lines: Mapping[str, OrderLine], units: Mapping[str, int]) -> bool:
    return all(units.get(sku, 0) >= line.quantity for sku, line in lines.items())


def order_status(
    *,
    ended: str | None,
    lines: Mapping[str, OrderLine],
    shipped: Mapping[str, int],
    releases: int,
    holds: Set[str],
) -> str:
    """flows.md: cancelled/rejected/completed, shipped, partially_shipped, released, on_hold."""
    if ended is not None:
        return ended
    if fully_covered(lines, shipped):
        return "shipped"
    if any(shipped.values()):
        return "partially_shipped"
    if releases:
        return "released"
    return "on_hold" if holds else "pending"


def line_changes(old: Mapping[str, OrderLine], new: Sequence[OrderLine]) -> tuple[LineChange, ...]:
    """Non-zero quantity deltas: a new SKU counts in full, a removed one as minus its quantity."""
    quantities = {line.sku: line.quantity for line in new}
    skus = list(old) + [sku for sku in quantities if sku not in old]
    deltas = [
        LineChange(sku=sku, quantity_delta=quantities.get(sku, 0) - _quantity(old, sku))
        for sku in skus
    ]
    return tuple(change for change in deltas if change.quantity_delta != 0)


def _quantity(lines: Mapping[str, OrderLine], sku: str) -> int:
    line = lines.get(sku)
    return line.quantity if line is not None else 0


def add_units(into: dict[str, int], lines: Iterable[OrderLine | ShippedLine]) -> None:
    for line in lines:
        into[line.sku] = into.get(line.sku, 0) + line.quantity


def return_errors(
    lines: Sequence[ShippedLine],
    ordered: Mapping[str, OrderLine],
    shipped: Mapping[str, int],
    returned: Mapping[str, int],
) -> list[dict[str, str]]:
    """What a return gets wrong: a SKU the order never had, more units than shipped and kept."""
    errors = []
    for index, line in enumerate(lines):
        returnable = shipped.get(line.sku, 0) - returned.get(line.sku, 0)
        if line.sku not in ordered and not shipped.get(line.sku):
            errors.append(
                {"field": f"lines.{index}.sku", "message": f"{line.sku!r} is not on the order"}
            )
        elif line.quantity > returnable:
            errors.append(
                {
                    "field": f"lines.{index}.quantity",
                    "message": f"only {returnable} x {line.sku} shipped and not yet returned",
                }
            )
    return errors

"""Intake decisions: an order's segment, priority and deadline, and the pattern check."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from services.order.events import BackorderRule, OrderLine, PatternCheckPolicy, PolicyChanged

TIER_FACTOR: Mapping[str, int] = {"strategic": 3, "vip": 2, "regular": 1}


@dataclass(frozen=True)
class OrderTerms:
    segment: str
    priority: int
    deadline: datetime
    backorder_rule: BackorderRule
    protection_floor: int = 0


def order_terms(
    policy: PolicyChanged,
    *,
    customer_class: str,
    item_classes: Iterable[str],
    tier: str,
    accepted_at: datetime,
) -> OrderTerms:
    """Segment = customer class + best item class; priority = weight x tier factor."""
    segment = segment_of(customer_class, item_classes)
    rules = getattr(policy.segments, segment)
    priority = rules.priority_weight * TIER_FACTOR.get(tier, 1)
    return OrderTerms(
        segment=segment,
        priority=priority,
        deadline=accepted_at + timedelta(minutes=rules.target_response_minutes),
        backorder_rule=rules.backorder_rule,
        protection_floor=protection_floor(policy, priority),
    )


def protection_floor(policy: PolicyChanged, priority: int) -> int:
    """Units of a SKU an order of `priority` must leave available: each segment keeps its
    protection level for orders at or above its priority weight."""
    return max(
        (
            rules.protection_level
            for _, rules in policy.segments
            if rules.priority_weight > priority
        ),
        default=0,
    )


def segment_of(customer_class: str, item_classes: Iterable[str]) -> str:
    """The customer's class and the best class among the order's items (unclassified: C)."""
    return customer_class + min(item_classes, default="C")


@dataclass(frozen=True)
class CustomerHistory:
    """The customer's earlier orders (not cancelled or rejected)."""

    order_totals: Sequence[int] = ()
    line_quantities: Mapping[str, Sequence[int]] = field(default_factory=dict)


def unusual_order(
    history: CustomerHistory, lines: Sequence[OrderLine], policy: PatternCheckPolicy
) -> str | None:
    """Why this order is unusual for the customer (hold it for confirmation), or None."""
    total = sum(line.quantity * line.unit_price_cents for line in lines)
    if not history.order_totals:
        if total > policy.first_order_threshold_cents:
            return f"first order worth {total} cents, above {policy.first_order_threshold_cents}"
        return None
    if len(history.order_totals) < policy.min_history_orders:
        return None
    usual_total = median(history.order_totals)
    if total > policy.order_value_multiplier * usual_total:
        return f"order worth {total} cents, over {policy.order_value_multiplier}x the median"
    for line in lines:
        earlier = history.line_quantities.get(line.sku)
        if earlier and line.quantity > policy.line_quantity_multiplier * median(earlier):
            return (
                f"{line.quantity} x {line.sku}, over {policy.line_quantity_multiplier}x"
                " the customer's median quantity"
            )
    return None

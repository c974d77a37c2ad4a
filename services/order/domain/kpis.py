"""Service KPIs of the order flow, folded per order from the order's own events (pure).

Each order keeps its `FlowFacts` (what happened to it, when); `contributions()` turns them into
integer counts and millisecond sums that add up across orders, so a read model can keep them as
hourly sums updated by the difference one event makes, and a window's figures are a sum of a few
buckets. Everything is an integer so that live updates and a rebuild add up to the same rows.

Definitions (the customer-service literature's, where the flow allows):
- entry time: `received_at` (the channel's time the customer submitted the order, when the
  channel sends one, else the time gapless received it) to accepted (`OrderPlaced`);
- processing time: accepted to the first release to the warehouse;
- cycle time: received to the last unit shipped (the order shipped complete);
- on time: released (shipped) no later than the order's deadline, which is accepted plus the
  segment's `target_response_minutes`;
- fill rates count the orders the warehouse shipped anything of: units shipped / ordered, lines
  shipped complete / lines, orders shipped complete / orders; first-time fill: the first
  release was the whole order and nothing was ever backordered (nor its reservation taken by
  a higher-priority order, which backorders it again);
- stockout: a line whose first stock answer was a backorder (nothing was available);
- perfect: shipped complete, on time, every invoice right, no return and no complaint.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from services.order.events import (
    ComplaintNoted,
    CreditApprovalRecorded,
    CreditDeclineRecorded,
    CreditReviewRecorded,
    DeliveryNoted,
    InvoiceRecorded,
    OrderCancelled,
    OrderChanged,
    OrderCompleted,
    OrderConfirmed,
    OrderHeld,
    OrderHoldLifted,
    OrderPlaced,
    OrderRejected,
    OrderReleased,
    PickRequestNoted,
    ReservationYielded,
    ReturnRecorded,
    ShipmentRecorded,
    StockBackorderRecorded,
    StockBumpRecorded,
    StockReleaseRecorded,
    StockReservationRecorded,
)
from shared.messages import DomainEvent

HOLD_KINDS: Final = ("pattern_check", "credit_review", "backorder", "andon")

# Every summed figure, in the order the read model's columns have them.
COUNTS: Final = (
    "orders",
    "entry_ms",
    "released",
    "processing_ms",
    "released_on_time",
    "pick_requested",
    "pick_ms",
    "shipped",
    "cycle_ms",
    "shipped_on_time",
    "completed",
    "delivered",
    "delivery_ms",
    "fill_orders",
    "fill_orders_full",
    "fill_units_ordered",
    "fill_units_shipped",
    "fill_lines",
    "fill_lines_full",
    "first_time_filled",
    "invoices",
    "invoices_accurate",
    "orders_accurate",
    "perfect",
    "cancelled",
    "rejected",
    "backordered",
    "lines_ordered",
    "stockout_lines",
    "exceptions",
    "returned",
    *(f"holds_{kind}" for kind in HOLD_KINDS),
    *(f"hold_ms_{kind}" for kind in HOLD_KINDS),
)
# Hand-offs whose latency from the order's acceptance is measured (each order counted once).
HAND_OFFS: Final = (
    "credit_answered",
    "stock_answered",
    "released",
    "pick_requested",
    "shipped",
    "invoiced",
    "delivered",
)
LATENCY_BUCKETS: Final = (1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600)
# Orders counted per hour of the step they reached (throughput).
STEPS: Final = ("received", "released", "shipped", "completed")
# Kept per hour the step was reached; `received` is the hour's accepted orders (the cohort's
# count), which saves intake a write: an order is accepted within moments of arriving.
STEP_COLUMNS: Final = ("released", "shipped", "completed")


class FlowFacts(BaseModel):
    """What has happened to one order so far, as far as its KPIs need to know."""

    model_config = ConfigDict(extra="forbid")

    segment: str
    channel: str
    received_at: datetime
    accepted_at: datetime
    deadline: datetime
    ordered: dict[str, int]
    prices: dict[str, int]
    reserved: dict[str, int] = Field(default_factory=dict)
    answered_skus: list[str] = Field(default_factory=list)
    stockout_skus: list[str] = Field(default_factory=list)
    ever_backordered: bool = False
    first_released_at: datetime | None = None
    first_release_complete: bool = False
    shipped: dict[str, int] = Field(default_factory=dict)
    shipped_wrong: bool = False
    shipped_complete_at: datetime | None = None
    invoiced: dict[str, int] = Field(default_factory=dict)
    invoices: int = 0
    invoices_accurate: int = 0
    returned: bool = False
    complained: bool = False
    ended: str | None = None
    ended_at: datetime | None = None
    open_holds: dict[str, datetime] = Field(default_factory=dict)
    hold_counts: dict[str, int] = Field(default_factory=dict)
    hold_lifts: dict[str, int] = Field(default_factory=dict)
    hold_ms: dict[str, int] = Field(default_factory=dict)
    shipment_ids: list[str] = Field(default_factory=list)
    delivered: dict[str, datetime] = Field(default_factory=dict)
    # When each hand-off first happened (the latency histograms count each order once).
    hand_offs: dict[str, datetime] = Field(default_factory=dict)

    @property
    def delivered_at(self) -> datetime | None:
        """When the last shipment of an order shipped complete was delivered."""
        if self.shipped_complete_at is None or not self.shipment_ids:
            return None
        if any(s not in self.delivered for s in self.shipment_ids):
            return None
        return max(self.delivered[s] for s in self.shipment_ids)

    @property
    def customer_class(self) -> str:
        return self.segment[:1]

    @property
    def status(self) -> str:
        """Where the order is in the funnel: placed, on_hold, released, shipped, or its end."""
        if self.ended is not None:
            return self.ended
        if self.shipped_complete_at is not None:
            return "shipped"
        if self.shipped:
            return "partially_shipped"
        if self.open_holds and self.first_released_at is None:
            return "on_hold"
        return "released" if self.first_released_at is not None else "placed"

    def step_times(self) -> dict[str, datetime]:
        """When the order reached each step after intake (throughput counts these)."""
        reached = {
            "released": self.first_released_at,
            "shipped": self.shipped_complete_at,
            "completed": self.ended_at if self.ended == "completed" else None,
        }
        return {step: at for step, at in reached.items() if at is not None}


def start(placed: OrderPlaced, accepted_at: datetime) -> FlowFacts:
    return FlowFacts(
        segment=placed.segment,
        channel=placed.channel,
        received_at=placed.received_at,
        accepted_at=accepted_at,
        deadline=placed.deadline,
        ordered={line.sku: line.quantity for line in placed.lines},
        prices={line.sku: line.unit_price_cents for line in placed.lines},
    )


def apply(facts: FlowFacts, event: DomainEvent, at: datetime) -> FlowFacts:
    """The facts after `event`, which the order recorded at `at` (a copy; `facts` is kept)."""
    new = _copy(facts)
    match event:
        case OrderChanged():
            new.ordered = {line.sku: line.quantity for line in event.lines}
            new.prices = {line.sku: line.unit_price_cents for line in event.lines}
            # On time is judged by the deadline as the change moved it; the segment an order
            # counts in stays the one it was accepted in (its cohort).
            new.deadline = event.deadline or new.deadline
            if event.changes:  # credit decides the new total afresh
                _lift(new, "credit_review", at)
            _settle_backorder(new, at)
        case OrderHeld():
            _hold(new, event.hold, at)
        case OrderHoldLifted() if not event.still_held:
            _lift(new, event.hold, at)
        case OrderConfirmed():
            _lift(new, "pattern_check", at)
        case CreditReviewRecorded():
            _handed_off(new, "credit_answered", event.answered_at)
            _hold(new, "credit_review", event.answered_at)
        case CreditApprovalRecorded():
            _handed_off(new, "credit_answered", event.answered_at)
            _lift(new, "credit_review", event.answered_at)
        case CreditDeclineRecorded():
            _handed_off(new, "credit_answered", event.answered_at)
        case (
            StockReservationRecorded()
            | StockBackorderRecorded()
            | StockReleaseRecorded()
            | StockBumpRecorded()
        ):
            _stock(new, event)
        case ReservationYielded():
            new.ever_backordered = True
        case OrderReleased():
            _handed_off(new, "released", at)
            _released(new, event, at)
        case ShipmentRecorded():
            _handed_off(new, "shipped", event.answered_at)
            _shipped(new, event)
        case InvoiceRecorded():
            _handed_off(new, "invoiced", event.answered_at)
            _invoiced(new, event)
        case ReturnRecorded():
            new.returned = True
        case PickRequestNoted():
            _handed_off(new, "pick_requested", event.requested_at)
        case ComplaintNoted():
            new.complained = True
        case DeliveryNoted():
            new.delivered.setdefault(str(event.shipment_id), event.delivered_at)
        case OrderCancelled() | OrderRejected() | OrderCompleted():
            _end(new, event, at)
    return new


def _copy(facts: FlowFacts) -> FlowFacts:
    """A copy to change: every container in the facts is flat, so copying each one is a deep
    copy (a fraction of pydantic's generic deep copy, which intake pays on every event)."""
    containers = {
        name: value.copy()
        for name, value in facts.__dict__.items()
        if isinstance(value, dict | list)
    }
    return facts.model_copy(update=containers)


def _hold(facts: FlowFacts, kind: str, at: datetime) -> None:
    if kind not in facts.open_holds and facts.ended is None:
        facts.open_holds[kind] = at
        facts.hold_counts[kind] = facts.hold_counts.get(kind, 0) + 1


def _lift(facts: FlowFacts, kind: str, at: datetime) -> None:
    opened = facts.open_holds.pop(kind, None)
    if opened is not None:
        facts.hold_ms[kind] = facts.hold_ms.get(kind, 0) + _ms(opened, at)
        facts.hold_lifts[kind] = facts.hold_lifts.get(kind, 0) + 1


def _handed_off(facts: FlowFacts, step: str, at: datetime) -> None:
    facts.hand_offs.setdefault(step, at)


def _stock(
    facts: FlowFacts,
    event: (
        StockReservationRecorded | StockBackorderRecorded | StockReleaseRecorded | StockBumpRecorded
    ),
) -> None:
    _handed_off(facts, "stock_answered", event.answered_at)
    first_answer = event.sku not in facts.answered_skus
    if first_answer:
        facts.answered_skus = sorted({*facts.answered_skus, event.sku})
    match event:
        case StockReservationRecorded():
            facts.reserved[event.sku] = event.reserved_total
        case StockBackorderRecorded():
            facts.ever_backordered = True
            if first_answer:
                facts.stockout_skus = sorted({*facts.stockout_skus, event.sku})
            _hold(facts, "backorder", event.answered_at)
            return
        case StockReleaseRecorded() | StockBumpRecorded() if event.reserved_total is not None:
            facts.reserved[event.sku] = event.reserved_total
        case StockReleaseRecorded():
            facts.reserved[event.sku] = max(0, facts.reserved.get(event.sku, 0) - event.quantity)
    _settle_backorder(facts, event.answered_at)


def _settle_backorder(facts: FlowFacts, at: datetime) -> None:
    if _covers(facts.reserved, facts.ordered):
        _lift(facts, "backorder", at)


def _released(facts: FlowFacts, event: OrderReleased, at: datetime) -> None:
    if event.release_no != 1 or facts.first_released_at is not None:
        return
    facts.first_released_at = at
    units = {line.sku: line.quantity for line in event.lines}
    facts.first_release_complete = _covers(units, facts.ordered) and not facts.ever_backordered


def _shipped(facts: FlowFacts, event: ShipmentRecorded) -> None:
    if str(event.shipment_id) not in facts.shipment_ids:
        facts.shipment_ids = sorted({*facts.shipment_ids, str(event.shipment_id)})
    for line in event.lines:
        facts.shipped[line.sku] = facts.shipped.get(line.sku, 0) + line.quantity
        if facts.shipped[line.sku] > facts.ordered.get(line.sku, 0):
            facts.shipped_wrong = True
    if facts.shipped_complete_at is None and _covers(facts.shipped, facts.ordered):
        facts.shipped_complete_at = event.answered_at


def _invoiced(facts: FlowFacts, event: InvoiceRecorded) -> None:
    """Accurate: it bills only units shipped and not billed before, at the order's prices."""
    facts.invoices += 1
    billed = {**facts.invoiced}
    for line in event.lines:
        billed[line.sku] = billed.get(line.sku, 0) + line.quantity
    priced = sum(line.quantity * facts.prices.get(line.sku, 0) for line in event.lines)
    within_shipped = all(billed[sku] <= facts.shipped.get(sku, 0) for sku in billed)
    known = all(line.sku in facts.prices for line in event.lines)
    if within_shipped and known and priced == event.total_cents:
        facts.invoices_accurate += 1
    facts.invoiced = billed


_ENDINGS: Final = {
    "OrderCancelled": "cancelled",
    "OrderRejected": "rejected",
    "OrderCompleted": "completed",
}


def _end(facts: FlowFacts, event: DomainEvent, at: datetime) -> None:
    if facts.ended is not None:
        return
    for kind in list(facts.open_holds):
        _lift(facts, kind, at)
    facts.ended = _ENDINGS[event.event_type()]
    facts.ended_at = at


def contributions(facts: FlowFacts) -> dict[str, int]:
    """The order's share of every summed figure (zeros left out)."""
    out: dict[str, int] = {"orders": 1, "entry_ms": _ms(facts.received_at, facts.accepted_at)}
    out["lines_ordered"] = len(facts.ordered)
    out["stockout_lines"] = len(facts.stockout_skus)
    out["backordered"] = int(facts.ever_backordered)
    out["cancelled"] = int(facts.ended == "cancelled")
    out["rejected"] = int(facts.ended == "rejected")
    out["completed"] = int(facts.ended == "completed")
    out["returned"] = int(facts.returned)
    out["exceptions"] = int(bool(facts.hold_counts))
    for kind in HOLD_KINDS:
        out[f"holds_{kind}"] = facts.hold_counts.get(kind, 0)
        out[f"hold_ms_{kind}"] = facts.hold_ms.get(kind, 0)
    if facts.first_released_at is not None:
        out["released"] = 1
        out["processing_ms"] = _ms(facts.accepted_at, facts.first_released_at)
        out["released_on_time"] = int(facts.first_released_at <= facts.deadline)
        out["first_time_filled"] = int(facts.first_release_complete)
    out.update(_fill(facts))
    if (pick := facts.hand_offs.get("pick_requested")) is not None:
        out["pick_requested"] = 1
        out["pick_ms"] = _ms(facts.accepted_at, pick)
    if (delivered := facts.delivered_at) is not None:
        out["delivered"] = 1
        out["delivery_ms"] = _ms(facts.received_at, delivered)
    out["invoices"] = facts.invoices
    out["invoices_accurate"] = facts.invoices_accurate
    return {name: value for name, value in out.items() if value}


def _fill(facts: FlowFacts) -> dict[str, int]:
    if not facts.shipped:
        return {}
    complete = facts.shipped_complete_at
    out = {
        "fill_orders": 1,
        "fill_orders_full": int(complete is not None),
        "fill_units_ordered": sum(facts.ordered.values()),
        "fill_units_shipped": sum(
            min(facts.shipped.get(sku, 0), quantity) for sku, quantity in facts.ordered.items()
        ),
        "fill_lines": len(facts.ordered),
        "fill_lines_full": sum(
            1 for sku, quantity in facts.ordered.items() if facts.shipped.get(sku, 0) >= quantity
        ),
        "orders_accurate": int(not facts.shipped_wrong),
    }
    if complete is not None:
        on_time = complete <= facts.deadline
        invoiced_right = facts.invoices > 0 and facts.invoices_accurate == facts.invoices
        out |= {
            "shipped": 1,
            "cycle_ms": _ms(facts.received_at, complete),
            "shipped_on_time": int(on_time),
            "perfect": int(
                on_time and invoiced_right and not facts.returned and not facts.complained
            ),
        }
    return out


def totals(facts: FlowFacts) -> dict[tuple[str, str], int]:
    """The order's share of the all-time totals behind the metrics (zeros left out):
    hold openings and lifts per kind, and each hand-off's latency bucket and milliseconds."""
    out: dict[tuple[str, str], int] = {}
    for kind, count in facts.hold_counts.items():
        out[("holds_opened", kind)] = count
    for kind, count in facts.hold_lifts.items():
        out[("holds_lifted", kind)] = count
    reached = dict(facts.hand_offs)
    if facts.delivered_at is not None:
        reached["delivered"] = facts.delivered_at
    for step, at in reached.items():
        ms = _ms(facts.accepted_at, at)
        bound = next((b for b in LATENCY_BUCKETS if ms <= b * 1000), None)
        out[(f"latency:{step}", "+Inf" if bound is None else str(bound))] = 1
        out[(f"latency_ms:{step}", "")] = ms
    return {key: value for key, value in out.items() if value}


def difference(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    """What one event changed in an order's contributions."""
    names = before.keys() | after.keys()
    changed = {name: after.get(name, 0) - before.get(name, 0) for name in names}
    return {name: value for name, value in changed.items() if value}


def _covers(units: Mapping[str, int], wanted: Mapping[str, int]) -> bool:
    return all(units.get(sku, 0) >= quantity for sku, quantity in wanted.items())


def _ms(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds() * 1000))


class Targets(BaseModel):
    """A segment's service policy, as far as KPIs are judged against it."""

    target_fill_rate: float
    target_response_minutes: int


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _mean_seconds(total_ms: int, count: int) -> float | None:
    return total_ms / count / 1000 if count else None


def figures(sums: Mapping[str, int], targets: Targets | None = None) -> dict[str, object]:
    """The KPIs of one group of orders from its summed counts, against `targets` if given."""
    s = {name: sums.get(name, 0) for name in COUNTS}
    orders = s["orders"]
    out: dict[str, object] = {
        "orders": orders,
        "released": s["released"],
        "shipped": s["shipped"],
        "completed": s["completed"],
        "delivered": s["delivered"],
        "entry_time_seconds": _mean_seconds(s["entry_ms"], orders),
        "processing_time_seconds": _mean_seconds(s["processing_ms"], s["released"]),
        "pick_request_time_seconds": _mean_seconds(s["pick_ms"], s["pick_requested"]),
        "cycle_time_seconds": _mean_seconds(s["cycle_ms"], s["shipped"]),
        "delivered_cycle_time_seconds": _mean_seconds(s["delivery_ms"], s["delivered"]),
        "released_on_time_rate": _rate(s["released_on_time"], s["released"]),
        "shipped_on_time_rate": _rate(s["shipped_on_time"], s["shipped"]),
        "unit_fill_rate": _rate(s["fill_units_shipped"], s["fill_units_ordered"]),
        "line_fill_rate": _rate(s["fill_lines_full"], s["fill_lines"]),
        "order_fill_rate": _rate(s["fill_orders_full"], s["fill_orders"]),
        "first_time_fill_rate": _rate(s["first_time_filled"], s["released"]),
        "invoice_accuracy": _rate(s["invoices_accurate"], s["invoices"]),
        "order_accuracy": _rate(s["orders_accurate"], s["fill_orders"]),
        "perfect_order_rate": _rate(s["perfect"], s["shipped"]),
        "cancellation_rate": _rate(s["cancelled"], orders),
        "rejection_rate": _rate(s["rejected"], orders),
        "backorder_rate": _rate(s["backordered"], orders),
        "stockout_rate": _rate(s["stockout_lines"], s["lines_ordered"]),
        "exception_rate": _rate(s["exceptions"], orders),
        "return_rate": _rate(s["returned"], s["shipped"]),
        "holds": {
            kind: {
                "count": s[f"holds_{kind}"],
                "mean_seconds": _mean_seconds(s[f"hold_ms_{kind}"], s[f"holds_{kind}"]),
            }
            for kind in HOLD_KINDS
        },
    }
    fill = _rate(s["fill_units_shipped"], s["fill_units_ordered"])
    processing = _mean_seconds(s["processing_ms"], s["released"])
    out["targets"] = None if targets is None else _judged(fill, processing, targets)
    return out


def _judged(fill: float | None, processing: float | None, targets: Targets) -> dict[str, object]:
    """Beside each target, whether the figure meets it (None while there is no figure)."""
    response_seconds = targets.target_response_minutes * 60
    return {
        "target_fill_rate": targets.target_fill_rate,
        "fill_rate_met": None if fill is None else fill >= targets.target_fill_rate,
        "target_response_minutes": targets.target_response_minutes,
        "response_time_met": None if processing is None else processing <= response_seconds,
    }


def add(total: dict[str, int], more: Mapping[str, int]) -> None:
    for name, value in more.items():
        total[name] = total.get(name, 0) + value


@dataclass(frozen=True)
class CohortSums:
    """The summed COUNTS of the orders of one segment, channel and customer class."""

    segment: str
    channel: str
    customer_class: str
    sums: Mapping[str, int]


def report(rows: Sequence[CohortSums], targets: Mapping[str, Targets]) -> dict[str, object]:
    """Figures overall and per segment, channel and customer class from per-group sums; every
    segment of `targets` is listed, with its targets, even when it had no orders in the window.
    """
    overall: dict[str, int] = {}
    groups: dict[str, dict[str, dict[str, int]]] = {
        "segment": {segment: {} for segment in targets},
        "channel": {},
        "customer_class": {},
    }
    for row in rows:
        add(overall, row.sums)
        for dimension, by_value in groups.items():
            add(by_value.setdefault(getattr(row, dimension), {}), row.sums)
    return {
        "overall": figures(overall),
        "segments": {
            segment: figures(sums, targets.get(segment))
            for segment, sums in sorted(groups["segment"].items())
        },
        "channels": {c: figures(sums) for c, sums in sorted(groups["channel"].items())},
        "customer_classes": {
            c: figures(sums) for c, sums in sorted(groups["customer_class"].items())
        },
    }

"""Holds: why one opened or lifted as a side effect, and which orders an andon pull stops."""

from dataclasses import dataclass
from uuid import UUID

from services.order.domain.progress import fully_covered
from services.order.domain.state import OrderState

# Why a hold opened or lifted as a side effect of another fact (the timeline shows it).
HOLD_REASONS = {
    "CreditReviewRecorded": "credit review required",
    "CreditApprovalRecorded": "credit approved",
    "StockBackorderRecorded": "stock backordered",
    "StockReservationRecorded": "every line reserved",
    "StockReleaseRecorded": "nothing left waiting for stock",
    "ReservationYielded": "reserved stock taken by a higher-priority order",
    "StockBumpRecorded": "nothing left waiting for stock",
    "OrderConfirmed": "confirmed by the customer",
    "OrderChanged": "order changed",
}


@dataclass(frozen=True)
class AndonStop:
    """An open andon pull as the order service sees it: what it stops, and why."""

    pull_id: UUID
    target_kind: str  # sku, order, customer (a step stops no order)
    target_id: str
    reason: str


def stops(state: OrderState, order_id: str, stop: AndonStop) -> bool:
    """order: that order; customer: theirs not fully shipped; sku: unreleased ones with it."""
    if state.placed is None:
        return False
    match stop.target_kind:
        case "order":
            return stop.target_id == order_id
        case "customer":
            shipped = fully_covered(state.lines, state.shipped)
            return stop.target_id == state.placed.customer_id and not shipped
        case "sku":
            return stop.target_id in state.lines and not state.releases
    return False

"""The order's state as the fold of its events (no decisions here: see order.py)."""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from services.order.domain.intake import OrderTerms
from services.order.domain.progress import add_units, fully_covered, order_status
from services.order.events import (
    AddressChangeRecorded,
    AddressChangeRefusalRecorded,
    BackorderRule,
    CreditApprovalRecorded,
    CreditReleaseRecorded,
    CreditReviewRecorded,
    Hold,
    InvoicePaymentRecorded,
    InvoiceRecorded,
    OrderCancelled,
    OrderChanged,
    OrderCompleted,
    OrderConfirmed,
    OrderHeld,
    OrderHoldLifted,
    OrderLine,
    OrderPlaced,
    OrderRejected,
    OrderReleased,
    ReservationYielded,
    ReturnRecorded,
    ShipmentRecorded,
    ShipTo,
    StockBackorderRecorded,
    StockBumpRecorded,
    StockReleaseRecorded,
    StockReservationRecorded,
)
from shared.messages import DomainEvent


@dataclass
class OrderState:
    placed: OrderPlaced | None = None
    terms: OrderTerms | None = None  # as placed, or as the last change of its SKUs set them
    lines: dict[str, OrderLine] = field(default_factory=dict)
    total_cents: int = 0
    ship_to: ShipTo | None = None
    holds: set[Hold] = field(default_factory=set)
    andon_pulls: set[UUID] = field(default_factory=set)  # the pulls whose hold is open
    confirm_by: datetime | None = None
    confirmed: bool = False
    credit_approved_cents: int | None = None
    credit_releases: set[tuple[str, int, int]] = field(default_factory=set)
    reserved: dict[str, int] = field(default_factory=dict)
    backordered: dict[str, int] = field(default_factory=dict)
    released: dict[str, int] = field(default_factory=dict)
    releases: int = 0
    # SKUs whose reserved units the order yielded to a higher-priority one: nothing more of
    # them is released until inventory's StockBumped says what the line holds after the bump.
    yielding: set[str] = field(default_factory=set)
    shipped: dict[str, int] = field(default_factory=dict)
    shipments: set[UUID] = field(default_factory=set)
    # Fulfillment's last answer to an address change, per shipment.
    address_answers: dict[UUID, AddressChangeRecorded | AddressChangeRefusalRecorded] = field(
        default_factory=dict
    )
    invoices: dict[UUID, dict[str, int]] = field(default_factory=dict)
    paid: set[UUID] = field(default_factory=set)
    returned: dict[str, int] = field(default_factory=dict)
    returns: int = 0
    ended: str | None = None  # cancelled, rejected or completed

    @property
    def backorder_rule(self) -> BackorderRule:
        return self.terms.backorder_rule if self.terms else "wait_complete"

    @property
    def releasable_reserved(self) -> dict[str, int]:
        """Reserved units per SKU that a release may send: a yielding SKU's stop at what went."""
        return {
            sku: self.released.get(sku, 0) if sku in self.yielding else units
            for sku, units in self.reserved.items()
        }

    @property
    def status(self) -> str:
        return order_status(
            ended=self.ended,
            lines=self.lines,
            shipped=self.shipped,
            releases=self.releases,
            holds=self.holds,
        )

    def units_invoiced(self, *, paid_only: bool = False) -> dict[str, int]:
        units: dict[str, int] = {}
        for invoice_id, lines in self.invoices.items():
            if not paid_only or invoice_id in self.paid:
                for sku, quantity in lines.items():
                    units[sku] = units.get(sku, 0) + quantity
        return units

    def apply(self, event: DomainEvent) -> None:
        match event:
            case (
                OrderPlaced()
                | OrderChanged()
                | OrderReleased()
                | OrderCompleted()
                | ReturnRecorded()
            ):
                self._apply_decision(event)
            case ReservationYielded():
                self.yielding.add(event.sku)
                self.holds.add("backorder")
            case OrderHeld() | OrderHoldLifted():
                self._apply_hold(event)
            case OrderConfirmed() | OrderCancelled() | OrderRejected():
                self._apply_end(event)
            case CreditApprovalRecorded() | CreditReviewRecorded() | CreditReleaseRecorded():
                self._apply_credit(event)
            case (
                StockReservationRecorded()
                | StockBackorderRecorded()
                | StockReleaseRecorded()
                | StockBumpRecorded()
            ):
                self._apply_stock(event)
            case (
                ShipmentRecorded()
                | InvoiceRecorded()
                | InvoicePaymentRecorded()
                | AddressChangeRecorded()
                | AddressChangeRefusalRecorded()
            ):
                self._apply_fulfillment(event)

    def _apply_decision(self, event: DomainEvent) -> None:
        match event:
            case OrderPlaced():
                self.placed, self.total_cents, self.ship_to = (
                    event,
                    event.total_cents,
                    event.ship_to,
                )
                self.terms = OrderTerms(
                    event.segment,
                    event.priority,
                    event.deadline,
                    event.backorder_rule,
                    event.protection_floor,
                )
                self.lines = {line.sku: line for line in event.lines}
            case OrderChanged():
                # Only a new total is a new credit question (a change re-runs what it affects).
                if event.total_cents != self.total_cents:
                    self.credit_approved_cents = None
                    self.holds.discard("credit_review")
                self.lines = {line.sku: line for line in event.lines}
                self.total_cents, self.ship_to = event.total_cents, event.ship_to
                self.terms = _terms_after(event, self.terms)
                self._settle_backorder()
            case OrderReleased():
                self.releases = event.release_no
                add_units(self.released, event.lines)
            case OrderCompleted():
                self.ended = "completed"
            case ReturnRecorded():
                self.returns = event.return_no
                add_units(self.returned, event.lines)

    def _apply_hold(self, event: OrderHeld | OrderHoldLifted) -> None:
        pulls = {event.pull_id} if event.hold == "andon" and event.pull_id else set()
        if isinstance(event, OrderHeld):
            self.holds.add(event.hold)
            self.confirm_by = event.confirm_by or self.confirm_by
            self.andon_pulls |= pulls
            return
        if event.hold == "andon":
            # The andon hold lifts with the last pull holding the order; a lift naming none, all.
            self.andon_pulls = self.andon_pulls - pulls if pulls else set()
            if self.andon_pulls:
                return
        self.holds.discard(event.hold)

    def _apply_end(self, event: DomainEvent) -> None:
        match event:
            case OrderConfirmed():
                self.confirmed = True
                self.holds.discard("pattern_check")
            case OrderCancelled():
                self.ended = "cancelled"
            case OrderRejected():
                self.ended = "rejected"

    def _apply_credit(self, event: DomainEvent) -> None:
        match event:
            case CreditApprovalRecorded():
                self.credit_approved_cents = event.amount_cents
                self.holds.discard("credit_review")
            case CreditReviewRecorded():
                self.holds.add("credit_review")
            case CreditReleaseRecorded():
                self.credit_releases.add((event.reason, event.amount_cents, event.exposure_cents))

    def _apply_stock(self, event: DomainEvent) -> None:
        match event:
            case StockReservationRecorded():
                self.reserved[event.sku] = event.reserved_total
                self._settle_backorder()
            case StockBackorderRecorded():
                self.backordered[event.sku] = event.quantity
                self.holds.add("backorder")
            case StockReleaseRecorded() if event.reserved_total is not None:
                self.reserved[event.sku] = event.reserved_total
                self.backordered[event.sku] = event.backordered_total or 0
                self._settle_backorder()
            case StockBumpRecorded():
                self.yielding.discard(event.sku)
                self.reserved[event.sku] = event.reserved_total
                self.backordered[event.sku] = event.backordered_total
                self._settle_backorder()
            case StockReleaseRecorded():
                self.reserved[event.sku] = max(0, self.reserved.get(event.sku, 0) - event.quantity)

    def _apply_fulfillment(self, event: DomainEvent) -> None:
        match event:
            case ShipmentRecorded():
                self.shipments.add(event.shipment_id)
                add_units(self.shipped, event.lines)
            case InvoiceRecorded():
                self.invoices[event.invoice_id] = {}
                add_units(self.invoices[event.invoice_id], event.lines)
            case InvoicePaymentRecorded():
                self.paid.add(event.invoice_id)
            case AddressChangeRecorded() | AddressChangeRefusalRecorded():
                self.address_answers[event.shipment_id] = event

    def _settle_backorder(self) -> None:
        if not self.yielding and fully_covered(self.lines, self.reserved):
            self.holds.discard("backorder")
            self.backordered.clear()


def _terms_after(changed: OrderChanged, terms: OrderTerms | None) -> OrderTerms | None:
    if (
        changed.segment is None
        or changed.priority is None
        or changed.deadline is None
        or changed.backorder_rule is None
    ):
        return terms  # recorded before changes carried the terms: they stayed as placed
    return OrderTerms(
        changed.segment,
        changed.priority,
        changed.deadline,
        changed.backorder_rule,
        changed.protection_floor,
    )

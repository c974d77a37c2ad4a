"""How an order records the answers of credit, inventory and fulfillment (each once)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict
from uuid import UUID

from services.order.domain.state import OrderState
from services.order.events import (
    CreditApprovalRecorded,
    CreditDeclineRecorded,
    CreditReleaseRecorded,
    CreditReviewRecorded,
    InvoicePaymentRecorded,
    InvoiceRecorded,
    ShipmentRecorded,
    ShippedLine,
    StockBackorderRecorded,
    StockReleaseRecorded,
    StockReservationRecorded,
)
from shared.aggregate import Aggregate
from shared.messages import DomainEvent


@dataclass(frozen=True)
class Reply:
    """When the answering service decided, and which event of ours it answers."""

    answered_at: datetime
    in_reply_to: UUID | None = None

    def fields(self, order_id: UUID) -> "_ReplyFields":
        return {
            "order_id": order_id,
            "answered_at": self.answered_at,
            "in_reply_to": self.in_reply_to,
        }


class _ReplyFields(TypedDict):
    order_id: UUID
    answered_at: datetime
    in_reply_to: UUID | None


@dataclass(frozen=True)
class CreditAnswer:
    customer_id: str
    amount_cents: int
    exposure_cents: int


ANSWERS: tuple[type[DomainEvent], ...] = (
    CreditApprovalRecorded,
    CreditReviewRecorded,
    CreditDeclineRecorded,
    CreditReleaseRecorded,
    StockReservationRecorded,
    StockBackorderRecorded,
    StockReleaseRecorded,
    ShipmentRecorded,
    InvoiceRecorded,
    InvoicePaymentRecorded,
)


class OrderAnswers(Aggregate):
    """Answers are facts: a repeated one is a no-op, and a closed order ignores late checks."""

    state: OrderState

    @property
    def order_id(self) -> UUID:
        return UUID(self.id)

    def release_if_ready(self) -> None:
        raise NotImplementedError

    def reject(self, reason: str) -> None:
        raise NotImplementedError

    def complete_if_done(self) -> None:
        raise NotImplementedError

    def record_credit_approved(self, reply: Reply, credit: CreditAnswer) -> None:
        state = self.state
        if state.ended or (
            state.credit_approved_cents == credit.amount_cents
            and "credit_review" not in state.holds
        ):
            return
        self._record(
            CreditApprovalRecorded(
                **reply.fields(self.order_id),
                customer_id=credit.customer_id,
                amount_cents=credit.amount_cents,
                exposure_cents=credit.exposure_cents,
            )
        )
        self.release_if_ready()

    def record_credit_review(self, reply: Reply, credit: CreditAnswer, reason: str) -> None:
        if self.state.ended or "credit_review" in self.state.holds:
            return
        self._record(
            CreditReviewRecorded(
                **reply.fields(self.order_id),
                customer_id=credit.customer_id,
                amount_cents=credit.amount_cents,
                exposure_cents=credit.exposure_cents,
                reason=reason,
            )
        )

    def record_credit_declined(self, reply: Reply, amount_cents: int, reason: str) -> None:
        if self.state.ended:
            return  # a late decline of an order that already ended changes nothing
        self._record(
            CreditDeclineRecorded(
                **reply.fields(self.order_id), amount_cents=amount_cents, reason=reason
            )
        )
        self.reject(f"credit declined: {reason}")

    def record_credit_released(self, reply: Reply, credit: CreditAnswer, reason: str) -> None:
        if (reason, credit.amount_cents, credit.exposure_cents) in self.state.credit_releases:
            return
        self._record(
            CreditReleaseRecorded(
                **reply.fields(self.order_id),
                customer_id=credit.customer_id,
                amount_cents=credit.amount_cents,
                exposure_cents=credit.exposure_cents,
                reason=reason,
            )
        )

    def record_stock_reserved(self, reply: Reply, sku: str, quantity: int, total: int) -> None:
        # Reservations only grow between releases; an older total arriving late changes nothing.
        if self.state.ended or total <= self.state.reserved.get(sku, 0):
            return
        self._record(
            StockReservationRecorded(
                **reply.fields(self.order_id), sku=sku, quantity=quantity, reserved_total=total
            )
        )
        self.release_if_ready()

    def record_stock_backordered(self, reply: Reply, sku: str, quantity: int) -> None:
        state = self.state
        if state.ended or (state.backordered.get(sku) == quantity and "backorder" in state.holds):
            return
        self._record(
            StockBackorderRecorded(**reply.fields(self.order_id), sku=sku, quantity=quantity)
        )

    def record_stock_released(
        self, reply: Reply, sku: str, quantity: int, reason: str, *, totals: tuple[int, int]
    ) -> None:
        reserved_total, backordered_total = totals
        state = self.state
        unchanged = (state.reserved.get(sku, 0), state.backordered.get(sku, 0)) == totals
        if unchanged:
            return  # the release was already recorded (or changes nothing we track)
        self._record(
            StockReleaseRecorded(
                **reply.fields(self.order_id),
                sku=sku,
                quantity=quantity,
                reason=reason,
                reserved_total=reserved_total,
                backordered_total=backordered_total,
            )
        )

    def record_shipped(
        self,
        reply: Reply,
        *,
        shipment_id: UUID,
        release_no: int,
        lines: Sequence[ShippedLine],
        carrier: str | None = None,
        tracking_number: str | None = None,
    ) -> None:
        if shipment_id in self.state.shipments:
            return
        self._record(
            ShipmentRecorded(
                **reply.fields(self.order_id),
                shipment_id=shipment_id,
                release_no=release_no,
                lines=tuple(lines),
                carrier=carrier,
                tracking_number=tracking_number,
            )
        )
        self.complete_if_done()

    def record_invoice(
        self, reply: Reply, invoice_id: UUID, lines: Sequence[ShippedLine], total_cents: int
    ) -> None:
        if invoice_id in self.state.invoices:
            return
        self._record(
            InvoiceRecorded(
                **reply.fields(self.order_id),
                invoice_id=invoice_id,
                lines=tuple(lines),
                total_cents=total_cents,
            )
        )
        self.complete_if_done()

    def record_payment(self, reply: Reply, invoice_id: UUID, total_cents: int) -> None:
        if invoice_id in self.state.paid:
            return
        self._record(
            InvoicePaymentRecorded(
                **reply.fields(self.order_id), invoice_id=invoice_id, total_cents=total_cents
            )
        )
        self.complete_if_done()

"""Invoice aggregate: issued for exactly what one shipment shipped, then paid by ops."""

from collections.abc import Sequence
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from services.fulfillment.events import (
    InvoiceIssued,
    InvoiceLine,
    InvoicePaid,
    PaymentRecorded,
    PricedLine,
)
from shared.aggregate import Aggregate, event_map
from shared.errors import InvalidRequestError
from shared.messages import DomainEvent


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"


class PaymentNotPositiveError(InvalidRequestError):
    def __init__(self, amount_cents: int) -> None:
        super().__init__(
            f"a payment must be more than 0 cents, not {amount_cents}",
            errors=[{"field": "amount_cents", "message": "must be greater than 0"}],
        )


class PaymentExceedsOpenAmountError(InvalidRequestError):
    def __init__(self, invoice_id: str, amount_cents: int, open_cents: int) -> None:
        super().__init__(
            f"invoice {invoice_id} has {open_cents} cents open; a payment of {amount_cents}"
            " cents would overpay it",
            errors=[{"field": "amount_cents", "message": f"at most {open_cents}"}],
        )


def invoice_id_for(shipment_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"gapless-invoice:{shipment_id}")


class Invoice(Aggregate):
    stream_type = "invoice"
    event_classes = event_map(InvoiceIssued, PaymentRecorded, InvoicePaid)

    def __init__(self, invoice_id: str) -> None:
        super().__init__(invoice_id)
        self._issued: InvoiceIssued | None = None
        self.paid_cents = 0
        self.status: InvoiceStatus | None = None

    @property
    def issued(self) -> InvoiceIssued:
        assert self._issued is not None, "an invoice exists only once issued"
        return self._issued

    @property
    def open_cents(self) -> int:
        return self.issued.total_cents - self.paid_cents

    def issue(
        self, *, shipment_id: UUID, order_id: UUID, customer_id: str, lines: Sequence[PricedLine]
    ) -> None:
        if self._issued is not None:
            return  # one invoice per shipment, however often its shipment is confirmed
        invoice_lines = tuple(
            InvoiceLine(
                sku=line.sku,
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
                amount_cents=line.quantity * line.unit_price_cents,
            )
            for line in lines
        )
        self._record(
            InvoiceIssued(
                invoice_id=UUID(self.id),
                order_id=order_id,
                shipment_id=shipment_id,
                customer_id=customer_id,
                lines=invoice_lines,
                total_cents=sum(line.amount_cents for line in invoice_lines),
            )
        )
        self._paid_if_settled()

    def record_payment(self, amount_cents: int) -> None:
        if amount_cents <= 0:
            raise PaymentNotPositiveError(amount_cents)
        if amount_cents > self.open_cents:
            raise PaymentExceedsOpenAmountError(self.id, amount_cents, self.open_cents)
        issued = self.issued
        self._record(
            PaymentRecorded(
                invoice_id=issued.invoice_id,
                order_id=issued.order_id,
                customer_id=issued.customer_id,
                amount_cents=amount_cents,
                paid_cents=self.paid_cents + amount_cents,
            )
        )
        self._paid_if_settled()

    def _paid_if_settled(self) -> None:
        # A free shipment is settled at once: no payment could ever be recorded against it.
        if self.status is InvoiceStatus.OPEN and self.open_cents == 0:
            issued = self.issued
            self._record(
                InvoicePaid(
                    invoice_id=issued.invoice_id,
                    order_id=issued.order_id,
                    customer_id=issued.customer_id,
                    total_cents=issued.total_cents,
                )
            )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case InvoiceIssued():
                self._issued = event
                self.status = InvoiceStatus.OPEN
            case PaymentRecorded():
                self.paid_cents = event.paid_cents
            case InvoicePaid():
                self.status = InvoiceStatus.PAID

"""Invoice aggregate: issued for exactly what one shipment shipped, then paid by ops; returned
units are credited against it."""

from collections.abc import Mapping, Sequence
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from services.fulfillment.events import (
    CreditNoteIssued,
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


def credit_note_id_for(return_id: UUID, invoice_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"gapless-credit-note:{return_id}:{invoice_id}")


class Invoice(Aggregate):
    stream_type = "invoice"
    event_classes = event_map(InvoiceIssued, PaymentRecorded, InvoicePaid, CreditNoteIssued)

    def __init__(self, invoice_id: str) -> None:
        super().__init__(invoice_id)
        self._issued: InvoiceIssued | None = None
        self.paid_cents = 0
        self.status: InvoiceStatus | None = None
        # Credit notes: what they took off the open amount, what they paid back, what units.
        self.credited_cents = 0
        self.refunded_cents = 0
        self.credited_units: dict[str, int] = {}
        self.credited_returns: set[UUID] = set()

    @property
    def issued(self) -> InvoiceIssued:
        assert self._issued is not None, "an invoice exists only once issued"
        return self._issued

    @property
    def open_cents(self) -> int:
        """What the customer still owes on it: billed, less paid, less credited."""
        return self.issued.total_cents - self.paid_cents - self.credited_cents

    def creditable(self) -> dict[str, int]:
        """Units per SKU billed here and not yet credited."""
        return {
            line.sku: line.quantity - self.credited_units.get(line.sku, 0)
            for line in self.issued.lines
            if line.quantity > self.credited_units.get(line.sku, 0)
        }

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

    def credit(self, return_id: UUID, units: Mapping[str, int]) -> None:
        """A credit note for returned units, at the prices billed: it first takes what it is
        worth off what is still open (the customer owes less); the rest was paid and is
        refunded. One per return; an invoice left with nothing open is settled."""
        if return_id in self.credited_returns or not units:
            return
        creditable, issued = self.creditable(), self.issued
        assert all(0 < units[sku] <= creditable.get(sku, 0) for sku in units), "not billed here"
        lines = tuple(
            InvoiceLine(
                sku=line.sku,
                quantity=units[line.sku],
                unit_price_cents=line.unit_price_cents,
                amount_cents=units[line.sku] * line.unit_price_cents,
            )
            for line in issued.lines
            if line.sku in units
        )
        total = sum(line.amount_cents for line in lines)
        applied = min(total, self.open_cents)
        self._record(
            CreditNoteIssued(
                credit_note_id=credit_note_id_for(return_id, issued.invoice_id),
                invoice_id=issued.invoice_id,
                order_id=issued.order_id,
                customer_id=issued.customer_id,
                return_id=return_id,
                lines=lines,
                total_cents=total,
                applied_cents=applied,
                refund_cents=total - applied,
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
            case CreditNoteIssued():
                self._apply_credit_note(event)

    def _apply_credit_note(self, event: CreditNoteIssued) -> None:
        self.credited_cents += event.applied_cents
        self.refunded_cents += event.refund_cents
        self.credited_returns.add(event.return_id)
        for line in event.lines:
            self.credited_units[line.sku] = self.credited_units.get(line.sku, 0) + line.quantity


def credit_plan(
    units: Mapping[str, int], invoices: Sequence[Invoice]
) -> list[tuple[Invoice, dict[str, int]]]:
    """Which invoice credits which of the returned units: invoices with something still open
    first (the credit then lowers what the customer owes rather than paying money back), each
    group in the order given; never more units of a SKU than an invoice billed and did not
    credit yet."""
    left = dict(units)
    plan = []
    for invoice in sorted(invoices, key=lambda invoice: invoice.open_cents == 0):
        creditable = invoice.creditable()
        taken = {sku: min(n, creditable.get(sku, 0)) for sku, n in left.items()}
        taken = {sku: n for sku, n in taken.items() if n > 0}
        if taken:
            plan.append((invoice, taken))
            left = {sku: n - taken.get(sku, 0) for sku, n in left.items()}
    return plan

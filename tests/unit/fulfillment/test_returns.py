"""Returns in the fulfillment domain: receiving what was authorised, and credit notes that lower
what is open or refund what was paid."""

from uuid import uuid4

import pytest

from services.fulfillment.domain import (
    CustomerReturn,
    Invoice,
    InvoiceStatus,
    ReceiptMismatchError,
    ReturnAlreadyReceivedError,
    credit_plan,
    invoice_id_for,
)
from services.fulfillment.events import CreditNoteIssued, PricedLine, ReceivedLine, ReturnedLine

CLOCK, TEAPOT = 4_999, 2_500


def an_invoice(clocks: int = 3, teapots: int = 1) -> Invoice:
    shipment_id = uuid4()
    invoice = Invoice(str(invoice_id_for(shipment_id)))
    lines = [
        PricedLine(sku="RETRO-CLOCK", quantity=clocks, unit_price_cents=CLOCK),
        PricedLine(sku="TEAPOT", quantity=teapots, unit_price_cents=TEAPOT),
    ]
    invoice.issue(shipment_id=shipment_id, order_id=uuid4(), customer_id="acme", lines=lines)
    invoice.collect_events()
    return invoice


def an_authorised_return(**units: int) -> CustomerReturn:
    customer_return = CustomerReturn(str(uuid4()))
    customer_return.authorise(
        order_id=uuid4(),
        return_no=1,
        lines=[ReturnedLine(sku=sku.replace("_", "-"), quantity=n) for sku, n in units.items()],
        reason="cracked",
    )
    customer_return.collect_events()
    return customer_return


def received(sku: str, quantity: int, disposition: str = "restock") -> ReceivedLine:
    return ReceivedLine.model_validate(
        {"sku": sku, "quantity": quantity, "disposition": disposition}
    )


class TestReceipt:
    def test_what_was_authorised_is_received_split_by_the_inspection(self) -> None:
        customer_return = an_authorised_return(RETRO_CLOCK=3)

        customer_return.receive(
            [received("RETRO-CLOCK", 2), received("RETRO-CLOCK", 1, "quarantine")]
        )

        [event] = customer_return.collect_events()
        assert event.model_dump(mode="json")["lines"] == [
            {"sku": "RETRO-CLOCK", "quantity": 2, "disposition": "restock"},
            {"sku": "RETRO-CLOCK", "quantity": 1, "disposition": "quarantine"},
        ]
        assert customer_return.received is not None

    @pytest.mark.parametrize(
        ("lines", "field"),
        [
            ([received("LAVA-LAMP", 1)], "lines.0.sku"),
            (
                [received("RETRO-CLOCK", 2), received("RETRO-CLOCK", 2, "quarantine")],
                "lines.1.quantity",
            ),
        ],
    )
    def test_units_the_return_did_not_authorise_are_refused(
        self, lines: list[ReceivedLine], field: str
    ) -> None:
        customer_return = an_authorised_return(RETRO_CLOCK=3)

        with pytest.raises(ReceiptMismatchError) as refused:
            customer_return.receive(lines)

        assert [error["field"] for error in refused.value.errors] == [field]
        assert customer_return.collect_events() == []

    def test_a_return_is_received_once(self) -> None:
        customer_return = an_authorised_return(TEAPOT=1)
        customer_return.receive([received("TEAPOT", 1)])

        with pytest.raises(ReturnAlreadyReceivedError):
            customer_return.receive([received("TEAPOT", 1)])


class TestCreditNotes:
    def test_a_credit_note_on_an_unpaid_invoice_lowers_what_is_open(self) -> None:
        invoice, return_id = an_invoice(), uuid4()

        invoice.credit(return_id, {"RETRO-CLOCK": 1})
        invoice.credit(return_id, {"RETRO-CLOCK": 1})  # the same return again

        [note] = invoice.collect_events()
        assert isinstance(note, CreditNoteIssued)
        assert (note.total_cents, note.applied_cents, note.refund_cents) == (CLOCK, CLOCK, 0)
        assert [(line.sku, line.quantity, line.amount_cents) for line in note.lines] == [
            ("RETRO-CLOCK", 1, CLOCK)
        ]
        assert invoice.open_cents == 2 * CLOCK + TEAPOT
        assert invoice.creditable() == {"RETRO-CLOCK": 2, "TEAPOT": 1}

    def test_a_credit_note_on_a_paid_invoice_is_a_refund(self) -> None:
        invoice = an_invoice()
        invoice.record_payment(3 * CLOCK + TEAPOT)
        invoice.collect_events()

        invoice.credit(uuid4(), {"TEAPOT": 1})

        [note] = invoice.collect_events()
        assert isinstance(note, CreditNoteIssued)
        assert (note.applied_cents, note.refund_cents) == (0, TEAPOT)
        assert (invoice.open_cents, invoice.refunded_cents) == (0, TEAPOT)

    def test_a_credit_note_worth_more_than_is_open_applies_that_and_refunds_the_rest(
        self,
    ) -> None:
        invoice = an_invoice()
        invoice.record_payment(3 * CLOCK)  # the teapot is still open

        invoice.credit(uuid4(), {"RETRO-CLOCK": 1})

        note, paid = invoice.collect_events()[-2:]
        assert isinstance(note, CreditNoteIssued)
        assert (note.applied_cents, note.refund_cents) == (TEAPOT, CLOCK - TEAPOT)
        assert (paid.event_type(), invoice.status) == ("InvoicePaid", InvoiceStatus.PAID)

    def test_units_are_credited_on_invoices_with_something_open_first(self) -> None:
        paid, unpaid = an_invoice(clocks=2), an_invoice(clocks=1)
        paid.record_payment(paid.open_cents)

        plan = credit_plan({"RETRO-CLOCK": 2, "TEAPOT": 1}, [paid, unpaid])

        assert [(invoice, units) for invoice, units in plan] == [
            (unpaid, {"RETRO-CLOCK": 1, "TEAPOT": 1}),
            (paid, {"RETRO-CLOCK": 1}),
        ]

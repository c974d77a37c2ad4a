"""Invoice domain: exactly what shipped, payments up to the open amount, paid when settled."""

from uuid import uuid4

import pytest

from services.fulfillment.domain import (
    Invoice,
    InvoiceStatus,
    PaymentExceedsOpenAmountError,
    PaymentNotPositiveError,
    invoice_id_for,
)
from services.fulfillment.events import InvoiceIssued, PricedLine

LINES = [
    PricedLine(sku="RETRO-CLOCK", quantity=2, unit_price_cents=4_999),
    PricedLine(sku="TEAPOT", quantity=1, unit_price_cents=2_500),
]


def an_issued_invoice(lines: list[PricedLine] = LINES) -> Invoice:
    shipment_id = uuid4()
    invoice = Invoice(str(invoice_id_for(shipment_id)))
    invoice.issue(shipment_id=shipment_id, order_id=uuid4(), customer_id="acme", lines=lines)
    return invoice


def test_the_invoice_bills_each_shipped_line_at_its_price() -> None:
    invoice = an_issued_invoice()

    [issued] = invoice.collect_events()

    assert isinstance(issued, InvoiceIssued)
    assert [(line.sku, line.quantity, line.amount_cents) for line in issued.lines] == [
        ("RETRO-CLOCK", 2, 9_998),
        ("TEAPOT", 1, 2_500),
    ]
    # 2 x 49.99 + 1 x 25.00
    assert issued.total_cents == 12_498


def test_issuing_twice_records_one_invoice() -> None:
    invoice = an_issued_invoice()

    invoice.issue(shipment_id=uuid4(), order_id=uuid4(), customer_id="acme", lines=LINES)

    assert [e.event_type() for e in invoice.collect_events()] == ["InvoiceIssued"]


def test_partial_payments_add_up_and_the_last_one_pays_the_invoice() -> None:
    invoice = an_issued_invoice()
    invoice.collect_events()

    invoice.record_payment(10_000)
    invoice.record_payment(2_498)

    events = invoice.collect_events()
    assert [e.event_type() for e in events] == ["PaymentRecorded", "PaymentRecorded", "InvoicePaid"]
    assert [e.model_dump().get("paid_cents") for e in events[:2]] == [10_000, 12_498]
    assert invoice.status is InvoiceStatus.PAID


def test_a_payment_above_the_open_amount_is_refused_and_records_nothing() -> None:
    invoice = an_issued_invoice()
    invoice.record_payment(12_000)
    invoice.collect_events()

    with pytest.raises(PaymentExceedsOpenAmountError) as refused:
        invoice.record_payment(499)

    assert refused.value.status_code == 422
    assert invoice.collect_events() == []
    assert invoice.open_cents == 498


@pytest.mark.parametrize("amount", [0, -5])
def test_a_payment_of_nothing_or_less_is_refused(amount: int) -> None:
    invoice = an_issued_invoice()

    with pytest.raises(PaymentNotPositiveError):
        invoice.record_payment(amount)


def test_a_paid_invoice_takes_no_more_payments() -> None:
    invoice = an_issued_invoice()
    invoice.record_payment(12_498)

    with pytest.raises(PaymentExceedsOpenAmountError):
        invoice.record_payment(1)


def test_a_free_shipment_is_invoiced_and_paid_at_once() -> None:
    invoice = an_issued_invoice([PricedLine(sku="SAMPLE", quantity=3, unit_price_cents=0)])

    assert [e.event_type() for e in invoice.collect_events()] == ["InvoiceIssued", "InvoicePaid"]

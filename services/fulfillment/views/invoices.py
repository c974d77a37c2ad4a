"""Invoices read model: what was billed per shipment and how much is paid."""

import json
from dataclasses import dataclass
from datetime import datetime

from services.fulfillment.domain import Invoice
from services.fulfillment.events import (
    CreditNoteIssued,
    InvoiceIssued,
    InvoicePaid,
    PaymentRecorded,
)
from services.fulfillment.schemas import InvoicePublic
from shared import changes, rows
from shared.aggregate import Aggregate
from shared.db import Connection, Row, WriteBehind
from shared.envelope import Envelope, parse_time
from shared.messages import DomainEvent
from shared.paging import Listing, Page, PageQuery, Where, fetch


@dataclass(frozen=True, slots=True)
class InvoiceRow(rows.Row):
    table = "invoice"
    primary_key = ("invoice_id",)

    invoice_id: str
    order_id: str
    shipment_id: str
    customer_id: str
    lines: str  # JSON
    total_cents: int
    issued_at: datetime
    paid_cents: int = 0
    status: str = "open"


@dataclass(frozen=True, slots=True)
class InvoicePaymentRow(rows.Row):
    table = "invoice"
    primary_key = ("invoice_id",)

    invoice_id: str
    paid_cents: int


@dataclass(frozen=True, slots=True)
class InvoicePaidRow(rows.Row):
    table = "invoice"
    primary_key = ("invoice_id",)

    invoice_id: str
    paid_at: datetime
    status: str = "paid"


@dataclass(frozen=True, slots=True)
class InvoiceCreditRow(rows.Row):
    table = "invoice"
    primary_key = ("invoice_id",)

    invoice_id: str
    credited_cents: int
    refunded_cents: int


async def project(
    conn: WriteBehind, event: DomainEvent, envelope: Envelope, invoice: Aggregate | None
) -> None:
    match event:
        case InvoiceIssued():
            issued = InvoiceRow(
                str(event.invoice_id),
                str(event.order_id),
                str(event.shipment_id),
                event.customer_id,
                lines=json.dumps(
                    [line.model_dump(mode="json") for line in event.lines], sort_keys=True
                ),
                total_cents=event.total_cents,
                issued_at=envelope.occurred_at,
            )
            await conn.execute(*rows.insert(issued, mark=changes.now(conn)))
        case PaymentRecorded():
            payment = InvoicePaymentRow(str(event.invoice_id), event.paid_cents)
            conn.defer(
                ("invoice.paid_cents", str(event.invoice_id)),
                *rows.update(payment, mark=changes.now(conn)),
            )
        case InvoicePaid():
            paid = InvoicePaidRow(str(event.invoice_id), envelope.occurred_at)
            conn.defer(
                ("invoice.paid_at", str(event.invoice_id)),
                *rows.update(paid, mark=changes.now(conn)),
            )
        case CreditNoteIssued() if isinstance(invoice, Invoice):
            credit = InvoiceCreditRow(
                str(event.invoice_id), invoice.credited_cents, invoice.refunded_cents
            )
            conn.defer(
                ("invoice.credited_cents", str(event.invoice_id)),
                *rows.update(credit, mark=changes.now(conn)),
            )


INVOICES = Listing(
    name="invoices",
    source="invoice",
    columns="invoice_id, order_id, shipment_id, customer_id, lines, total_cents, paid_cents,"
    " credited_cents, refunded_cents, status, issued_at, paid_at",
    order=(("issued_at", datetime), ("invoice_id", str)),
    row_key=(("invoice_id", str),),
)


async def invoices(conn: Connection, where: Where, query: PageQuery) -> Page[InvoicePublic]:
    found = await fetch(conn, INVOICES, where, query)
    return found.with_rows([_public(row) for row in found.rows])


def _public(row: Row) -> InvoicePublic:
    public = {
        "invoice_id": row["invoice_id"],
        "order_id": row["order_id"],
        "shipment_id": row["shipment_id"],
        "customer_id": row["customer_id"],
        "lines": json.loads(row["lines"]),
        "total_cents": row["total_cents"],
        "paid_cents": row["paid_cents"],
        "credited_cents": row["credited_cents"],
        "refunded_cents": row["refunded_cents"],
        "open_cents": row["total_cents"] - row["paid_cents"] - row["credited_cents"],
        "status": row["status"],
        "issued_at": parse_time(row["issued_at"]).isoformat(),
        "paid_at": parse_time(row["paid_at"]).isoformat() if row["paid_at"] else None,
    }
    return InvoicePublic.model_validate(public)

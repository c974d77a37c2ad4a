"""Invoices read model: what was billed per shipment and how much is paid."""

import json
from datetime import datetime

from services.fulfillment.domain import Invoice
from services.fulfillment.events import (
    CreditNoteIssued,
    InvoiceIssued,
    InvoicePaid,
    PaymentRecorded,
)
from services.fulfillment.schemas import InvoicePublic
from shared import changes
from shared.aggregate import Aggregate
from shared.db import Connection, Row, WriteBehind
from shared.envelope import Envelope, parse_time
from shared.messages import DomainEvent
from shared.paging import Listing, Page, PageQuery, Where, fetch


async def project(
    conn: WriteBehind, event: DomainEvent, envelope: Envelope, invoice: Aggregate | None
) -> None:
    match event:
        case InvoiceIssued():
            await conn.execute(
                "INSERT INTO invoice (invoice_id, order_id, shipment_id, customer_id, lines,"
                " total_cents, paid_cents, status, issued_at, change_mark)"
                f" VALUES ($1, $2, $3, $4, $5, $6, 0, 'open', $7, {changes.now(conn)})",
                str(event.invoice_id),
                str(event.order_id),
                str(event.shipment_id),
                event.customer_id,
                json.dumps([line.model_dump(mode="json") for line in event.lines], sort_keys=True),
                event.total_cents,
                envelope.occurred_at,
            )
        case PaymentRecorded():
            conn.defer(
                ("invoice.paid_cents", str(event.invoice_id)),
                f"UPDATE invoice SET paid_cents = $2, change_mark = {changes.now(conn)}"
                " WHERE invoice_id = $1",
                str(event.invoice_id),
                event.paid_cents,
            )
        case InvoicePaid():
            conn.defer(
                ("invoice.paid_at", str(event.invoice_id)),
                "UPDATE invoice SET status = 'paid', paid_at = $2,"
                f" change_mark = {changes.now(conn)} WHERE invoice_id = $1",
                str(event.invoice_id),
                envelope.occurred_at,
            )
        case CreditNoteIssued() if isinstance(invoice, Invoice):
            conn.defer(
                ("invoice.credited_cents", str(event.invoice_id)),
                "UPDATE invoice SET credited_cents = $2, refunded_cents = $3,"
                f" change_mark = {changes.now(conn)} WHERE invoice_id = $1",
                str(event.invoice_id),
                invoice.credited_cents,
                invoice.refunded_cents,
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

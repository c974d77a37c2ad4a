"""Returns read model: each authorised return, what was received of it and its credit notes."""

import json
from datetime import datetime

from services.fulfillment.events import CreditNoteIssued, ReturnAuthorised, ReturnReceived
from services.fulfillment.schemas import CreditNotePublic, ReturnPublic
from shared import changes
from shared.db import Connection, Row, WriteBehind, placeholders
from shared.envelope import Envelope, parse_time
from shared.messages import DomainEvent, Message
from shared.paging import Listing, Page, PageQuery, Where, fetch


def _json(lines: tuple[Message, ...]) -> str:
    return json.dumps([line.model_dump(mode="json") for line in lines], sort_keys=True)


async def project(conn: WriteBehind, event: DomainEvent, envelope: Envelope) -> None:
    match event:
        case ReturnAuthorised():
            await conn.execute(
                "INSERT INTO customer_return (return_id, order_id, return_no, status, reason,"
                " lines, authorised_at, change_mark)"
                f" VALUES ($1, $2, $3, 'authorised', $4, $5, $6, {changes.now(conn)})",
                str(event.return_id),
                str(event.order_id),
                event.return_no,
                event.reason,
                _json(event.lines),
                envelope.occurred_at,
            )
        case ReturnReceived():
            conn.defer(
                ("customer_return.received", str(event.return_id)),
                "UPDATE customer_return SET status = 'received', received_lines = $2,"
                f" received_at = $3, change_mark = {changes.now(conn)} WHERE return_id = $1",
                str(event.return_id),
                _json(event.lines),
                envelope.occurred_at,
            )
        case CreditNoteIssued():
            # A return is listed with its credit notes: a new one is a change of the return.
            conn.defer(
                ("customer_return.credited", str(event.return_id)),
                f"UPDATE customer_return SET change_mark = {changes.now(conn)}"
                " WHERE return_id = $1",
                str(event.return_id),
            )
            await conn.execute(
                "INSERT INTO credit_note (credit_note_id, return_id, invoice_id, order_id,"
                " customer_id, lines, total_cents, applied_cents, refund_cents, issued_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                str(event.credit_note_id),
                str(event.return_id),
                str(event.invoice_id),
                str(event.order_id),
                event.customer_id,
                _json(event.lines),
                event.total_cents,
                event.applied_cents,
                event.refund_cents,
                envelope.occurred_at,
            )


RETURNS = Listing(
    name="returns",
    source="customer_return",
    columns="return_id, order_id, return_no, status, reason, lines, received_lines,"
    " authorised_at, received_at",
    order=(("authorised_at", datetime), ("return_id", str)),
    row_key=(("return_id", str),),
)


async def returns(conn: Connection, where: Where, query: PageQuery) -> Page[ReturnPublic]:
    """A page of returns (or of their change feed), each with its credit notes."""
    found = await fetch(conn, RETURNS, where, query)
    notes = await _credit_notes(conn, [row["return_id"] for row in found.rows])
    rows = [_public(row, notes.get(row["return_id"], [])) for row in found.rows]
    return found.with_rows(rows)


async def one_return(conn: Connection, return_id: str) -> ReturnPublic | None:
    row = await conn.fetchrow("SELECT * FROM customer_return WHERE return_id = $1", return_id)
    if row is None:
        return None
    notes = await _credit_notes(conn, [return_id])
    return _public(row, notes.get(return_id, []))


async def _credit_notes(
    conn: Connection, return_ids: list[str]
) -> dict[str, list[CreditNotePublic]]:
    if not return_ids:
        return {}
    rows = await conn.fetch(
        "SELECT * FROM credit_note"
        f" WHERE return_id IN ({placeholders(len(return_ids))}) ORDER BY issued_at, credit_note_id",
        *return_ids,
    )
    notes: dict[str, list[CreditNotePublic]] = {}
    for row in rows:
        notes.setdefault(row["return_id"], []).append(
            CreditNotePublic.model_validate(
                {
                    "credit_note_id": row["credit_note_id"],
                    "invoice_id": row["invoice_id"],
                    "lines": json.loads(row["lines"]),
                    "total_cents": row["total_cents"],
                    "applied_cents": row["applied_cents"],
                    "refund_cents": row["refund_cents"],
                    "issued_at": parse_time(row["issued_at"]).isoformat(),
                }
            )
        )
    return notes


def _public(row: Row, credit_notes: list[CreditNotePublic]) -> ReturnPublic:
    received_at = row["received_at"]
    public = {
        "return_id": row["return_id"],
        "order_id": row["order_id"],
        "return_no": row["return_no"],
        "status": row["status"],
        "reason": row["reason"],
        "lines": json.loads(row["lines"]),
        "received": json.loads(row["received_lines"] or "[]"),
        "credit_notes": credit_notes,
        "authorised_at": parse_time(row["authorised_at"]).isoformat(),
        "received_at": parse_time(received_at).isoformat() if received_at else None,
    }
    return ReturnPublic.model_validate(public)

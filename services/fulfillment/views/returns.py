"""Returns read model: each authorised return, what was received of it and its credit notes."""

import json
from dataclasses import dataclass
from datetime import datetime

from services.fulfillment.events import CreditNoteIssued, ReturnAuthorised, ReturnReceived
from services.fulfillment.schemas import CreditNotePublic, ReturnPublic
from shared import changes, rows
from shared.db import Connection, Row, WriteBehind, placeholders
from shared.envelope import Envelope, parse_time
from shared.messages import DomainEvent, Message
from shared.paging import Listing, Page, PageQuery, Where, fetch


def _json(lines: tuple[Message, ...]) -> str:
    return json.dumps([line.model_dump(mode="json") for line in lines], sort_keys=True)


@dataclass(frozen=True, slots=True)
class ReturnRow(rows.Row):
    table = "customer_return"
    primary_key = ("return_id",)

    return_id: str
    order_id: str
    return_no: int
    reason: str
    lines: str  # JSON
    authorised_at: datetime
    status: str = "authorised"


@dataclass(frozen=True, slots=True)
class ReturnReceivedRow(rows.Row):
    table = "customer_return"
    primary_key = ("return_id",)

    return_id: str
    received_lines: str  # JSON
    received_at: datetime
    status: str = "received"


@dataclass(frozen=True, slots=True)
class ReturnCreditedRow(rows.Row):
    """Only the return's change mark: its credit notes are in their own table."""

    table = "customer_return"
    primary_key = ("return_id",)

    return_id: str


@dataclass(frozen=True, slots=True)
class CreditNoteRow(rows.Row):
    table = "credit_note"
    primary_key = ("credit_note_id",)

    credit_note_id: str
    return_id: str
    invoice_id: str
    order_id: str
    customer_id: str
    lines: str  # JSON
    total_cents: int
    applied_cents: int
    refund_cents: int
    issued_at: datetime


async def project(conn: WriteBehind, event: DomainEvent, envelope: Envelope) -> None:
    match event:
        case ReturnAuthorised():
            authorised = ReturnRow(
                str(event.return_id),
                str(event.order_id),
                event.return_no,
                reason=event.reason,
                lines=_json(event.lines),
                authorised_at=envelope.occurred_at,
            )
            await conn.execute(*rows.insert(authorised, mark=changes.now(conn)))
        case ReturnReceived():
            received = ReturnReceivedRow(
                str(event.return_id), _json(event.lines), envelope.occurred_at
            )
            conn.defer(
                ("customer_return.received", str(event.return_id)),
                *rows.update(received, mark=changes.now(conn)),
            )
        case CreditNoteIssued():
            # A return is listed with its credit notes: a new one is a change of the return.
            conn.defer(
                ("customer_return.credited", str(event.return_id)),
                *rows.update(ReturnCreditedRow(str(event.return_id)), mark=changes.now(conn)),
            )
            note = CreditNoteRow(
                str(event.credit_note_id),
                str(event.return_id),
                str(event.invoice_id),
                str(event.order_id),
                event.customer_id,
                lines=_json(event.lines),
                total_cents=event.total_cents,
                applied_cents=event.applied_cents,
                refund_cents=event.refund_cents,
                issued_at=envelope.occurred_at,
            )
            await conn.execute(*rows.insert(note))


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
    return found.with_rows([_public(row, notes.get(row["return_id"], [])) for row in found.rows])


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
    found = await conn.fetch(
        "SELECT * FROM credit_note"
        f" WHERE return_id IN ({placeholders(len(return_ids))}) ORDER BY issued_at, credit_note_id",
        *return_ids,
    )
    notes: dict[str, list[CreditNotePublic]] = {}
    for row in found:
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

"""Complaints read model: one row per customer complaint recorded, for GET /v1/complaints."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, Text

from services.andon.events import ComplaintRecorded
from services.andon.schemas import ComplaintPublic
from shared import changes, rows
from shared.changes import mark_column
from shared.db import Connection, Row, WriteBehind
from shared.messages import DomainEvent
from shared.paging import Listing, Page, PageQuery, Where, fetch


def define_tables(metadata: MetaData) -> None:
    Table(
        "complaint",
        metadata,
        Column("complaint_id", String(36), primary_key=True),
        Column("order_id", String(36), nullable=False),
        Column("sku", String(200), nullable=False),
        Column("reason", Text, nullable=False),
        Column("recorded_by", String(200), nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
        mark_column(),
        Index("ix_complaint_order_id", "order_id"),
        # GET /v1/complaints pages by recording time, whole or by SKU, and as a feed.
        Index("ix_complaint_recorded_at", "recorded_at", "complaint_id"),
        Index("ix_complaint_sku_recorded_at", "sku", "recorded_at", "complaint_id"),
        Index("ix_complaint_change_mark", "change_mark", "complaint_id"),
    )


@dataclass(frozen=True, slots=True)
class ComplaintRow(rows.Row):
    table = "complaint"
    primary_key = ("complaint_id",)

    complaint_id: str
    order_id: str
    sku: str
    reason: str
    recorded_by: str
    recorded_at: datetime


async def project(conn: WriteBehind, event: DomainEvent) -> None:
    if isinstance(event, ComplaintRecorded):
        recorded = ComplaintRow(
            str(event.complaint_id),
            str(event.order_id),
            sku=event.sku,
            reason=event.reason,
            recorded_by=event.recorded_by,
            recorded_at=event.recorded_at,
        )
        await conn.execute(*rows.insert(recorded, mark=changes.now(conn)))


_COLUMNS = "complaint_id, order_id, sku, reason, recorded_by, recorded_at"
COMPLAINTS = Listing(
    name="complaints",
    source="complaint",
    columns=_COLUMNS,
    order=(("recorded_at", datetime), ("complaint_id", str)),
    row_key=(("complaint_id", str),),
)


async def complaints(conn: Connection, where: Where, query: PageQuery) -> Page[ComplaintPublic]:
    """A page of complaints (or of their change feed)."""
    found = await fetch(conn, COMPLAINTS, where, query)
    return found.with_rows([_public(row) for row in found.rows])


async def complaint(conn: Connection, complaint_id: str) -> ComplaintPublic | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM complaint WHERE complaint_id = $1", complaint_id
    )
    return None if row is None else _public(row)


def _public(row: Row) -> ComplaintPublic:
    return ComplaintPublic.model_validate(dict(row))

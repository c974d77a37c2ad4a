"""The orders the watchdog follows and the gaps it found: the orders a pull stops, the stats
and GET /v1/gaps."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Boolean, Column, DateTime, Index, MetaData, String, Table

from services.andon.events import (
    GapClosed,
    GapDetected,
    OrderEnded,
    OrderLinesChanged,
    OrderWatched,
)
from shared import changes, rows
from shared.changes import mark_column
from shared.db import Connection, WriteBehind, placeholders
from shared.messages import DomainEvent
from shared.paging import Listing


def define_tables(metadata: MetaData) -> None:
    Table(
        "watched_order",
        metadata,
        Column("order_id", String(36), primary_key=True),
        Column("customer_id", String(100), nullable=False, index=True),
        Column("open", Boolean, nullable=False),
        Column("placed_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "watched_order_line",
        metadata,
        Column("order_id", String(36), primary_key=True),
        Column("sku", String(100), primary_key=True, index=True),
    )
    Table(
        "gap",
        metadata,
        Column("order_id", String(36), primary_key=True),
        Column("step", String(30), primary_key=True),
        Column("expected_by", DateTime(timezone=True), nullable=False),
        Column("detected_at", DateTime(timezone=True), nullable=False),
        Column("pull_id", String(36)),
        Column("open", Boolean, nullable=False),
        Column("closed_at", DateTime(timezone=True)),
        mark_column(),
        # GET /v1/gaps pages by when a hand-off was due, open ones or all, and as a feed.
        Index("ix_gap_open_expected_by", "open", "expected_by", "order_id", "step"),
        Index("ix_gap_expected_by", "expected_by", "order_id", "step"),
        Index("ix_gap_change_mark", "change_mark", "order_id", "step"),
    )


@dataclass(frozen=True, slots=True)
class WatchedOrderRow(rows.Row):
    table = "watched_order"
    primary_key = ("order_id",)

    order_id: str
    customer_id: str
    placed_at: datetime
    open: bool = True


@dataclass(frozen=True, slots=True)
class WatchedOrderEnded(rows.Row):
    table = "watched_order"
    primary_key = ("order_id",)

    order_id: str
    open: bool = False


@dataclass(frozen=True, slots=True)
class WatchedLineRow(rows.Row):
    table = "watched_order_line"
    primary_key = ("order_id", "sku")

    order_id: str
    sku: str


@dataclass(frozen=True, slots=True)
class GapRow(rows.Row):
    """A gap detected (again): open, not closed, whatever it was before."""

    table = "gap"
    primary_key = ("order_id", "step")

    order_id: str
    step: str
    expected_by: datetime
    detected_at: datetime
    pull_id: str | None
    open: bool = True
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class GapClosure(rows.Row):
    table = "gap"
    primary_key = ("order_id", "step")

    order_id: str
    step: str
    closed_at: datetime
    open: bool = False


async def project(conn: WriteBehind, event: DomainEvent) -> None:
    match event:
        case OrderWatched():
            watched = WatchedOrderRow(str(event.order_id), event.customer_id, event.at)
            await conn.execute(*rows.insert(watched, on_conflict="skip"))
            await _lines(conn, str(event.order_id), event.lines)
        case OrderLinesChanged():
            await _lines(conn, str(event.order_id), event.lines)
        case OrderEnded():
            await conn.execute(*rows.update(WatchedOrderEnded(str(event.order_id))))
        case GapDetected() | GapClosed():
            await _gap(conn, event)


async def _lines(conn: Connection, order_id: str, lines: Mapping[str, int]) -> None:
    await conn.execute("DELETE FROM watched_order_line WHERE order_id = $1", order_id)
    await rows.insert_all(conn, [WatchedLineRow(order_id, sku) for sku in sorted(lines)])


async def _gap(conn: WriteBehind, event: GapDetected | GapClosed) -> None:
    mark = changes.now(conn)
    if isinstance(event, GapClosed):
        closure = GapClosure(str(event.order_id), event.step, event.closed_at)
        await conn.execute(*rows.update(closure, mark=mark))
        return
    gap = GapRow(
        str(event.order_id),
        event.step,
        expected_by=event.expected_by,
        detected_at=event.detected_at,
        pull_id=None if event.pull_id is None else str(event.pull_id),
    )
    await conn.execute(*rows.insert(gap, on_conflict="update", mark=mark))


GAPS = Listing(
    name="gaps",
    source="gap",
    columns="order_id, step, expected_by, detected_at, pull_id, open, closed_at",
    order=(("expected_by", datetime), ("order_id", str), ("step", str)),
    row_key=(("order_id", str), ("step", str)),
    default="asc",
)


# The open orders a pull on a SKU or a customer stops; `{}`: the targets' placeholders.
_STOPPED_BY = {
    "sku": "SELECT 'sku' AS kind, l.sku AS target_id, o.order_id AS order_id,"
    " o.placed_at AS placed_at"
    " FROM watched_order o JOIN watched_order_line l ON l.order_id = o.order_id"
    " WHERE o.open AND l.sku IN ({})",
    "customer": "SELECT 'customer' AS kind, customer_id AS target_id, order_id, placed_at"
    " FROM watched_order WHERE open AND customer_id IN ({})",
}


async def affected_orders(
    conn: Connection, targets: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[str]]:
    """Per (kind, id) target, the open orders a pull on it stops, oldest first: those holding
    the SKU, the customer's, the order itself. One query for them all (a page of the board)."""
    affected: dict[tuple[str, str], list[str]] = {target: [] for target in targets}
    selects: list[str] = []
    args: list[str] = []
    for kind, select in _STOPPED_BY.items():
        if ids := sorted(target_id for of, target_id in affected if of == kind):
            selects.append(select.format(placeholders(len(ids), first=len(args) + 1)))
            args += ids
    if selects:
        rows = await conn.fetch(
            f"{' UNION ALL '.join(selects)} ORDER BY placed_at, order_id", *args
        )
        for row in rows:
            affected[row["kind"], row["target_id"]].append(row["order_id"])
    for kind, target_id in affected:
        if kind == "order" and _is_uuid(target_id):
            affected[kind, target_id].append(target_id)
    return affected


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


async def watched_count(conn: Connection) -> int:
    return int(await conn.fetchval("SELECT COUNT(*) FROM watched_order"))


async def open_gap_counts(conn: Connection) -> dict[str, int]:
    """Open gaps per step (the gauge behind `gapless_open_gaps`)."""
    rows = await conn.fetch("SELECT step, COUNT(*) AS gaps FROM gap WHERE open GROUP BY step")
    return {row["step"]: int(row["gaps"]) for row in rows}


async def gap_totals(conn: Connection) -> dict[str, int]:
    row = await conn.fetchrow(
        "SELECT COUNT(*) AS detected, COALESCE(SUM(CASE WHEN open THEN 1 ELSE 0 END), 0) AS open"
        " FROM gap"
    )
    assert row is not None
    return {"gaps_detected": int(row["detected"]), "open_gaps": int(row["open"])}

"""What the watchdog tracks: orders and their lines, awaited hand-offs, gaps."""

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from sqlalchemy import Boolean, Column, DateTime, Index, MetaData, String, Table

from services.andon.events import (
    GapClosed,
    GapDetected,
    HandOffAwaited,
    HandOffPaused,
    HandOffSettled,
    HoldObserved,
    OrderEnded,
    OrderLinesChanged,
    OrderWatched,
)
from shared import changes
from shared.changes import mark_column
from shared.db import Connection, Row, WriteBehind
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
        "order_hold",
        metadata,
        Column("hold", String(60), primary_key=True),
        Column("order_id", String(36), primary_key=True),
    )
    Table(
        "awaited_hand_off",
        metadata,
        Column("order_id", String(36), primary_key=True),
        Column("step", String(30), primary_key=True),
        Column("status", String(10), nullable=False),
        Column("since", DateTime(timezone=True), nullable=False),
        Column("due_floor", DateTime(timezone=True)),
        Index("ix_awaited_hand_off_clock", "status", "step", "since"),
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


async def project(conn: WriteBehind, event: DomainEvent) -> None:
    match event:
        case OrderWatched():
            await conn.execute(
                "INSERT INTO watched_order (order_id, customer_id, open, placed_at)"
                " VALUES ($1, $2, TRUE, $3) ON CONFLICT (order_id) DO NOTHING",
                str(event.order_id),
                event.customer_id,
                event.at,
            )
            await _lines(conn, str(event.order_id), event.lines)
        case OrderLinesChanged():
            await _lines(conn, str(event.order_id), event.lines)
        case OrderEnded():
            await conn.execute(
                "UPDATE watched_order SET open = FALSE WHERE order_id = $1", str(event.order_id)
            )
        case HoldObserved():
            _hold(conn, event)
        case HandOffAwaited() | HandOffPaused() | HandOffSettled():
            _hand_off(conn, event)
        case GapDetected() | GapClosed():
            await _gap(conn, event)


async def _lines(conn: Connection, order_id: str, lines: Mapping[str, int]) -> None:
    await conn.execute("DELETE FROM watched_order_line WHERE order_id = $1", order_id)
    await conn.executemany(
        "INSERT INTO watched_order_line (order_id, sku) VALUES ($1, $2)",
        [(order_id, sku) for sku in sorted(lines)],
    )


# Hand-off clocks and holds are whole rows that come and go many times per order: held back,
# a batch writes each once (shared.db.WriteBehind).


def _hold(conn: WriteBehind, event: HoldObserved) -> None:
    order_id = str(event.order_id)
    row = ("order_hold", event.hold, order_id)
    if event.open:
        conn.defer(
            row,
            "INSERT INTO order_hold (hold, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            event.hold,
            order_id,
        )
    else:
        conn.defer(
            row, "DELETE FROM order_hold WHERE hold = $1 AND order_id = $2", event.hold, order_id
        )


async def held_by(conn: Connection, hold: str) -> list[str]:
    rows = await conn.fetch("SELECT order_id FROM order_hold WHERE hold = $1", hold)
    return [row["order_id"] for row in rows]


def _hand_off(conn: WriteBehind, event: HandOffAwaited | HandOffPaused | HandOffSettled) -> None:
    order_id = str(event.order_id)
    row = ("awaited_hand_off", order_id, event.step)
    match event:
        case HandOffSettled():
            conn.defer(
                row,
                "DELETE FROM awaited_hand_off WHERE order_id = $1 AND step = $2",
                order_id,
                event.step,
            )
            return
        case HandOffAwaited():
            status, since, due_floor = "active", event.since, event.due_floor
        case HandOffPaused():
            status, since, due_floor = "paused", event.at, None
    conn.defer(
        row,
        "INSERT INTO awaited_hand_off (order_id, step, status, since, due_floor)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id, step) DO UPDATE SET"
        " status = excluded.status, since = excluded.since, due_floor = excluded.due_floor",
        order_id,
        event.step,
        status,
        since,
        due_floor,
    )


async def _gap(conn: WriteBehind, event: GapDetected | GapClosed) -> None:
    mark = changes.now(conn)
    if isinstance(event, GapClosed):
        await conn.execute(
            f"UPDATE gap SET open = FALSE, closed_at = $3, change_mark = {mark}"
            " WHERE order_id = $1 AND step = $2",
            str(event.order_id),
            event.step,
            event.closed_at,
        )
        return
    await conn.execute(
        "INSERT INTO gap (order_id, step, expected_by, detected_at, pull_id, open, closed_at,"
        f" change_mark) VALUES ($1, $2, $3, $4, $5, TRUE, NULL, {mark})"
        " ON CONFLICT (order_id, step) DO UPDATE SET"
        " expected_by = excluded.expected_by, detected_at = excluded.detected_at,"
        " pull_id = excluded.pull_id, open = TRUE, closed_at = NULL,"
        " change_mark = excluded.change_mark",
        str(event.order_id),
        event.step,
        event.expected_by,
        event.detected_at,
        None if event.pull_id is None else str(event.pull_id),
    )


async def ever_ordered(conn: Connection, kind: str, target_id: str) -> bool:
    """Whether an order andon watched (open or closed) had this SKU or customer."""
    query = {
        "sku": "SELECT 1 FROM watched_order_line WHERE sku = $1 LIMIT 1",
        "customer": "SELECT 1 FROM watched_order WHERE customer_id = $1 LIMIT 1",
    }.get(kind)
    return query is not None and await conn.fetchval(query, target_id) is not None


async def affected_orders(conn: Connection, kind: str, target_id: str) -> list[str]:
    """Open orders a pull on (kind, target_id) stops: holding the SKU, the customer's, itself."""
    match kind:
        case "sku":
            rows = await conn.fetch(
                "SELECT o.order_id FROM watched_order o JOIN watched_order_line l"
                " ON l.order_id = o.order_id WHERE o.open AND l.sku = $1 ORDER BY o.placed_at",
                target_id,
            )
        case "customer":
            rows = await conn.fetch(
                "SELECT order_id FROM watched_order WHERE open AND customer_id = $1"
                " ORDER BY placed_at",
                target_id,
            )
        case "order":
            return [target_id] if _is_uuid(target_id) else []
        case _:
            return []
    return [row["order_id"] for row in rows]


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


async def overdue_hand_offs(
    conn: Connection,
    bounds: Mapping[str, tuple[datetime, datetime]],
    *,
    gap_reported: bool,
    limit: int,
) -> list[Row]:
    """Running clocks past due, oldest first. `bounds`: per step, the latest start and the latest
    due floor of an overdue clock (the read skips every clock that cannot be late yet).
    `gap_reported`: also those whose gap is open."""
    clauses: list[str] = []
    args: list[object] = []
    for step, (started_by, floor_by) in bounds.items():
        n = len(args)
        clauses.append(
            f"(a.step = ${n + 1} AND a.since <= ${n + 2}"
            f" AND (a.due_floor IS NULL OR a.due_floor <= ${n + 3}))"
        )
        args += [step, started_by, floor_by]
    if not clauses:
        return []
    reported = "" if gap_reported else " AND (g.open IS NULL OR NOT g.open)"
    return await conn.fetch(
        "SELECT a.order_id, a.step, a.since, a.due_floor,"
        " CASE WHEN g.open THEN TRUE ELSE FALSE END AS gap_open"
        " FROM awaited_hand_off a LEFT JOIN gap g ON g.order_id = a.order_id AND g.step = a.step"
        f" WHERE a.status = 'active' AND ({' OR '.join(clauses)}){reported}"
        f" ORDER BY a.since LIMIT {int(limit)}",
        *args,
    )


GAPS = Listing(
    name="gaps",
    source="gap",
    columns="order_id, step, expected_by, detected_at, pull_id, open, closed_at",
    order=(("expected_by", datetime), ("order_id", str), ("step", str)),
    row_key=(("order_id", str), ("step", str)),
    default="asc",
)


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

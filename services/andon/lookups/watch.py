"""What the watchdog's handlers ask of the orders it follows: the hand-off clocks running, the
holds an andon placed, the orders a pull stops, whether a target was ever ordered.

`order_hold` and `awaited_hand_off` are the write side's own; the watched orders and their gaps
are read models the API shows too (services/andon/views/watch.py), read here by SQL alone.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table

from services.andon.events import HandOffAwaited, HandOffPaused, HandOffSettled, HoldObserved
from shared import rows
from shared.db import Connection, Row, WriteBehind
from shared.messages import DomainEvent


def define_tables(metadata: MetaData) -> None:
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


@dataclass(frozen=True, slots=True)
class HoldRow(rows.Row):
    table = "order_hold"
    primary_key = ("hold", "order_id")

    hold: str
    order_id: str


@dataclass(frozen=True, slots=True)
class HandOffRow(rows.Row):
    table = "awaited_hand_off"
    primary_key = ("order_id", "step")

    order_id: str
    step: str
    status: str
    since: datetime
    due_floor: datetime | None


# Hand-off clocks and holds are whole rows that come and go many times per order: held back,
# a batch writes each once (shared.db.WriteBehind).


def project(conn: WriteBehind, event: DomainEvent) -> None:
    match event:
        case HoldObserved():
            _hold(conn, event)
        case HandOffAwaited() | HandOffPaused() | HandOffSettled():
            _hand_off(conn, event)


def _hold(conn: WriteBehind, event: HoldObserved) -> None:
    order_id = str(event.order_id)
    row = ("order_hold", event.hold, order_id)
    if event.open:
        conn.defer(row, *rows.insert(HoldRow(event.hold, order_id), on_conflict="skip"))
    else:
        conn.defer(
            row, "DELETE FROM order_hold WHERE hold = $1 AND order_id = $2", event.hold, order_id
        )


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
    clock = HandOffRow(order_id, event.step, status, since, due_floor)
    conn.defer(row, *rows.insert(clock, on_conflict="update"))


async def held_by(conn: Connection, hold: str) -> list[str]:
    rows = await conn.fetch("SELECT order_id FROM order_hold WHERE hold = $1", hold)
    return [row["order_id"] for row in rows]


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


async def ever_ordered(conn: Connection, kind: str, target_id: str) -> bool:
    """Whether an order andon watched (open or closed) had this SKU or customer."""
    query = {
        "sku": "SELECT 1 FROM watched_order_line WHERE sku = $1 LIMIT 1",
        "customer": "SELECT 1 FROM watched_order WHERE customer_id = $1 LIMIT 1",
    }.get(kind)
    return query is not None and await conn.fetchval(query, target_id) is not None


async def watched_count(conn: Connection) -> int:
    return int(await conn.fetchval("SELECT COUNT(*) FROM watched_order"))

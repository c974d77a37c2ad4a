"""Queries behind the andon API: the board with tickets and affected orders, stats, gaps."""

import json
from collections.abc import Sequence
from datetime import datetime

from services.andon.schemas import AndonPullPublic, AndonStats, AndonStatsLine, GapPublic, Ticket
from services.andon.views import pulls, watch
from shared.db import Connection, Row
from shared.envelope import parse_time
from shared.paging import Page, PageQuery, Where, fetch


async def board(
    conn: Connection, where: Where, query: PageQuery, *, now: datetime
) -> Page[AndonPullPublic]:
    """A page of pulls, each with its ticket, the orders it stops and its age."""
    found = await fetch(conn, pulls.PULLS, where, query)
    return found.with_rows(await _public(conn, found.rows, now))


async def one_pull(conn: Connection, pull_id: str, *, now: datetime) -> AndonPullPublic | None:
    row = await pulls.pull(conn, pull_id)
    return None if row is None else (await _public(conn, [row], now))[0]


async def _public(conn: Connection, rows: Sequence[Row], now: datetime) -> list[AndonPullPublic]:
    """The pulls as the board shows them; the orders the open ones stop, in one query."""
    stopping = [(row["target_kind"], row["target_id"]) for row in rows if row["open"]]
    affected = await watch.affected_orders(conn, stopping)
    return [
        _pull(row, affected.get((row["target_kind"], row["target_id"]), []), now) for row in rows
    ]


def _pull(row: Row, affected_orders: list[str], now: datetime) -> AndonPullPublic:
    # A resolved pull stops nothing any more; its age is how long it stayed open.
    is_open = bool(row["open"])
    departments = json.loads(row["departments"])
    pulled_at = parse_time(row["pulled_at"])
    resolved_at = None if row["resolved_at"] is None else parse_time(row["resolved_at"])
    ticket = Ticket(
        departments=departments,
        status="open" if is_open else "resolved",
        root_cause=row["root_cause"],
        fix=row["fix"],
        resolved_by=row["resolved_by"],
        resolved_at=resolved_at,
        seconds_to_resolve=row["seconds_to_resolve"],
    )
    return AndonPullPublic.model_validate(
        {
            **dict(row),
            "automatic": bool(row["automatic"]),
            "open": is_open,
            "departments": departments,
            "details": json.loads(row["details"]),
            "pullers": json.loads(row["pullers"]),
            "pulled_at": pulled_at,
            "ticket": ticket,
            "affected_orders": affected_orders if is_open else [],
            "age_seconds": max(0.0, ((resolved_at or now) - pulled_at).total_seconds()),
        }
    )


def _line(pull_count: int, open_count: int, resolved: int, seconds: float) -> AndonStatsLine:
    mean = seconds / resolved if resolved else None
    return AndonStatsLine(
        pull_count=pull_count, open_count=open_count, mean_seconds_to_resolve=mean
    )


async def stats(conn: Connection) -> AndonStats:
    """Pull count, open count and mean time to resolve, overall and per category."""
    totals = [0, 0, 0, 0.0]
    categories: dict[str, AndonStatsLine] = {}
    for row in await pulls.stats(conn):
        counts = (
            int(row["pull_count"]),
            int(row["open_count"] or 0),
            int(row["resolved_count"] or 0),
            float(row["seconds_to_resolve"] or 0.0),
        )
        categories[row["category"]] = _line(*counts)
        totals = [total + count for total, count in zip(totals, counts, strict=True)]
    pull_count, open_count, resolved, seconds = totals
    gaps = await watch.gap_totals(conn)
    watched = await watch.watched_count(conn)
    return AndonStats.model_validate(
        {
            **_line(int(pull_count), int(open_count), int(resolved), seconds).model_dump(),
            "categories": categories,
            **gaps,
            "orders_watched": watched,
            "gaps_per_1000_orders": gaps["gaps_detected"] * 1000 / watched if watched else None,
        }
    )


async def gaps(
    conn: Connection, where: Where, query: PageQuery, *, now: datetime
) -> Page[GapPublic]:
    """A page of gaps; an open one is overdue by now, a closed one was until it closed."""
    found = await fetch(conn, watch.GAPS, where, query)
    rows = []
    for row in found.rows:
        expected_by, closed_at = parse_time(row["expected_by"]), row["closed_at"]
        until = now if closed_at is None else parse_time(closed_at)
        rows.append(
            GapPublic.model_validate(
                {
                    **dict(row),
                    "open": bool(row["open"]),
                    "expected_by": expected_by,
                    "detected_at": parse_time(row["detected_at"]),
                    "closed_at": None if closed_at is None else parse_time(closed_at),
                    "overdue_seconds": max(0.0, (until - expected_by).total_seconds()),
                }
            )
        )
    return found.with_rows(rows)

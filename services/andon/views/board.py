"""Queries behind the andon API: the board with tickets and affected orders, stats, gaps."""

from datetime import datetime
from typing import Any

from services.andon.schemas import AndonPullPublic, AndonStats, GapPublic
from services.andon.views import pulls, watch
from shared.db import Connection
from shared.envelope import parse_time
from shared.paging import Page, PageQuery, Where, fetch


def _ticket(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "departments": row["departments"],
        "status": "open" if row["open"] else "resolved",
        "root_cause": row["root_cause"],
        "fix": row["fix"],
        "resolved_by": row["resolved_by"],
        "resolved_at": row["resolved_at"],
        "seconds_to_resolve": row["seconds_to_resolve"],
    }


async def board(
    conn: Connection, where: Where, query: PageQuery, *, now: datetime
) -> Page[AndonPullPublic]:
    """A page of pulls, each with its ticket, the orders it stops and its age."""
    found = await fetch(conn, pulls.PULLS, where, query)
    rows = [await _with_ticket(conn, pulls.board_row(row), now) for row in found.rows]
    return found.with_rows(rows)


async def one_pull(conn: Connection, pull_id: str, *, now: datetime) -> AndonPullPublic | None:
    row = await pulls.pull(conn, pull_id)
    return None if row is None else await _with_ticket(conn, row, now)


async def _with_ticket(conn: Connection, row: dict[str, Any], now: datetime) -> AndonPullPublic:
    row["ticket"] = _ticket(row)
    # A resolved pull stops nothing any more; its age is how long it stayed open.
    row["affected_orders"] = (
        await watch.affected_orders(conn, row["target_kind"], row["target_id"])
        if row["open"]
        else []
    )
    ended = row["resolved_at"] or now
    row["age_seconds"] = max(0.0, (ended - row["pulled_at"]).total_seconds())
    return AndonPullPublic.model_validate(row)


def _line(pull_count: int, open_count: int, resolved: int, seconds: float) -> dict[str, Any]:
    mean = seconds / resolved if resolved else None
    return {"pull_count": pull_count, "open_count": open_count, "mean_seconds_to_resolve": mean}


async def stats(conn: Connection) -> AndonStats:
    """Pull count, open count and mean time to resolve, overall and per category."""
    totals = [0, 0, 0, 0.0]
    categories = {}
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
            **_line(int(pull_count), int(open_count), int(resolved), seconds),
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

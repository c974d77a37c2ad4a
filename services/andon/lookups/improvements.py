"""What the improvement audit asks: the items due, and the pulls that recurred since a fix
(`improvement_item` and `andon_pull`, read models the API shows too: services/andon/views)."""

from dataclasses import dataclass
from datetime import datetime

from shared.db import Connection
from shared.envelope import parse_time


@dataclass(frozen=True)
class DueItem:
    """An improvement item whose audit date has come: what its audit compares and reports."""

    item_id: str
    category: str
    target_kind: str
    target_id: str
    cause_code: str
    fixed_at: datetime
    owner: str


async def due(conn: Connection, now: datetime, limit: int = 100) -> list[DueItem]:
    rows = await conn.fetch(
        "SELECT item_id, category, target_kind, target_id, cause_code, fixed_at, owner"
        " FROM improvement_item WHERE status = 'awaiting_audit' AND audit_at <= $1"
        " ORDER BY audit_at LIMIT $2",
        now,
        limit,
    )
    return [DueItem(**{**row, "fixed_at": parse_time(row["fixed_at"])}) for row in rows]


async def recurrences(conn: Connection, item: DueItem, now: datetime) -> list[str]:
    """Pulls since the fix on the same target and category, or resolved with the same cause."""
    same_target = await conn.fetch(
        "SELECT pull_id, pulled_at FROM andon_pull WHERE target_kind = $1 AND target_id = $2"
        " AND category = $3 AND pulled_at > $4 AND pulled_at <= $5 AND pull_id <> $6",
        item.target_kind,
        item.target_id,
        item.category,
        item.fixed_at,
        now,
        item.item_id,
    )
    same_cause = (
        await conn.fetch(
            "SELECT item_id AS pull_id, pulled_at FROM improvement_item WHERE category = $1"
            " AND cause_code = $2 AND pulled_at > $3 AND pulled_at <= $4 AND item_id <> $5",
            item.category,
            item.cause_code,
            item.fixed_at,
            now,
            item.item_id,
        )
        if item.cause_code != "unclassified"
        else []
    )
    found = {row["pull_id"]: parse_time(row["pulled_at"]) for row in [*same_target, *same_cause]}
    return sorted(found, key=lambda pull_id: (found[pull_id], pull_id))

"""What handlers ask of the pulls on the board (`andon_pull`, a read model the API shows:
services/andon/views/pulls.py): a pull's target, the routing of the pulls holding an order, the
open pulls that stop a new order."""

from shared.db import Connection, Row, placeholders, row_placeholders


async def pull(conn: Connection, pull_id: str) -> Row | None:
    """The pull's target, category and time."""
    return await conn.fetchrow(
        "SELECT target_kind, target_id, category, pulled_at FROM andon_pull WHERE pull_id = $1",
        pull_id,
    )


async def routing_of(conn: Connection, pull_ids: list[str]) -> list[Row]:
    """Category and departments of these pulls, oldest first."""
    if not pull_ids:
        return []
    return await conn.fetch(
        "SELECT category, departments FROM andon_pull"
        f" WHERE pull_id IN ({placeholders(len(pull_ids))}) ORDER BY pulled_at",
        *pull_ids,
    )


async def open_pulls_on(conn: Connection, targets: list[tuple[str, str]]) -> list[str]:
    """Ids of the open pulls on any of `targets` ((kind, id) pairs), in one statement."""
    if not targets:
        return []
    pairs = row_placeholders(len(targets), 2)
    rows = await conn.fetch(
        "SELECT pull_id FROM andon_pull"
        f" WHERE open AND (target_kind, target_id) IN (VALUES {pairs}) ORDER BY pulled_at, pull_id",
        *(part for target in targets for part in target),
    )
    return [row["pull_id"] for row in rows]

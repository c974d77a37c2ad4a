"""Inbox (idempotent consumer): a consumed message id commits with the effect it had."""

from collections.abc import Sequence

from shared.db import Connection


async def claim(conn: Connection, *, consumer: str, message_id: str) -> bool:
    """Record that `consumer` handles `message_id` now; False if it already has.

    Runs inside the same transaction as the handler's writes, so either both commit or neither:
    a redelivered message finds its row and has no second effect. RETURNING rather than rowcount
    because both PostgreSQL and SQLite report it the same way.
    """
    return message_id in await claim_all(conn, consumer=consumer, message_ids=[message_id])


async def claim_all(conn: Connection, *, consumer: str, message_ids: Sequence[str]) -> set[str]:
    """Claim many messages with one statement; returns the ids claimed now (not seen before)."""
    if not message_ids:
        return set()
    values = ", ".join(f"($1, ${i + 2})" for i in range(len(message_ids)))
    rows = await conn.fetch(
        f"INSERT INTO processed_message (consumer, message_id) VALUES {values}"
        " ON CONFLICT DO NOTHING RETURNING message_id",
        consumer,
        *message_ids,
    )
    return {row["message_id"] for row in rows}

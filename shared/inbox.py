"""Inbox (idempotent consumer): a consumed message id commits with the effect it had.

Rows are kept for the retention period (`GAPLESS_RETENTION__PERIOD`, shared/retention.py), which
the settings require to outlast every redelivery (`ServiceSettings.redelivery_window`).
"""

from collections.abc import Sequence
from datetime import datetime

from shared.db import Connection


async def claim(conn: Connection, *, consumer: str, message_id: str, at: datetime) -> bool:
    """Record that `consumer` handles `message_id` now; False if it already has.

    Runs inside the same transaction as the handler's writes, so either both commit or neither:
    a redelivered message finds its row and has no second effect. RETURNING rather than rowcount
    because both PostgreSQL and SQLite report it the same way.
    """
    claimed = await claim_all(conn, consumer=consumer, message_ids=[message_id], at=at)
    return message_id in claimed


async def claim_all(
    conn: Connection, *, consumer: str, message_ids: Sequence[str], at: datetime
) -> set[str]:
    """Claim many messages with one statement; returns the ids claimed now (not seen before).

    `at` (the unit of work's clock) is when the row's retention starts.
    """
    if not message_ids:
        return set()
    values = ", ".join(f"($1, $2, ${i + 3})" for i in range(len(message_ids)))
    rows = await conn.fetch(
        f"INSERT INTO processed_message (consumer, processed_at, message_id) VALUES {values}"
        " ON CONFLICT DO NOTHING RETURNING message_id",
        consumer,
        at,
        *message_ids,
    )
    return {row["message_id"] for row in rows}

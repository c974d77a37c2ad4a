"""Retention: delivery bookkeeping older than `GAPLESS_RETENTION__PERIOD` is deleted.

What goes, and why nothing can need it again:
- inbox rows (`processed_message`), once handled longer ago than the period: the settings refuse
  a period that does not outlast every redelivery (`ServiceSettings.redelivery_window`), so a
  message that could still come again always finds its row;
- published outbox rows: delivered; the relay only ever reads unpublished ones;
- records of the embedded local log, once every consumer group is past them and they are older
  than the period (`LocalLogBroker.prune`; Kafka keeps its topics by its own `retention.ms`);
- Idempotency-Key answers (`idempotent_request`) older than their own period
  (`GAPLESS_RETENTION__IDEMPOTENCY_KEYS`): a client retries within minutes or hours, and a key
  reused after that is taken as a new request, as the Idempotency-Key draft allows.

Each service's processes run this as a scheduled job. Every batch is one short transaction of
at most `batch_size` rows, and the job yields between batches, so intake never waits for more
than one batch (a SQLite file takes one writer at a time; PostgreSQL locks only the rows).
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import takewhile

from prometheus_client import Counter

from shared.db import Database
from shared.envelope import parse_time

PRUNED = Counter("gapless_pruned_total", "Rows deleted by the retention job", ["service", "what"])


@dataclass(frozen=True)
class Pruned:
    inbox: int
    outbox: int
    log: int
    idempotency_keys: int


async def in_batches(batch: Callable[[], Awaitable[int]], batch_size: int) -> int:
    """Run `batch` until it deletes fewer than a full batch; the number deleted."""
    total = 0
    while True:
        deleted = await batch()
        total += deleted
        if deleted < batch_size:
            return total
        await asyncio.sleep(0)  # whoever waits for the database goes first


async def prune_inbox(db: Database, *, before: datetime, batch_size: int) -> int:
    """One batch of inbox rows handled before `before` (the oldest first)."""
    return await _delete_oldest(
        db, "processed_message", "consumer, message_id", "processed_at", before, batch_size
    )


async def prune_outbox(db: Database, *, before: datetime, batch_size: int) -> int:
    """One batch of the oldest outbox rows, if published before `before`.

    Reads the head of the table by id and stops at the first row still needed (unpublished or
    recent), so a batch costs at most `batch_size` rows read however many recent rows follow.
    """
    async with db.transaction() as conn:
        head = await conn.fetch(
            "SELECT id, published_at FROM outbox_message ORDER BY id LIMIT $1", batch_size
        )
        done = list(
            takewhile(
                lambda row: (
                    row["published_at"] is not None and parse_time(row["published_at"]) < before
                ),
                head,
            )
        )
        if not done:
            return 0
        # The condition again: on PostgreSQL a row in the range may have committed since.
        deleted = await conn.fetch(
            "DELETE FROM outbox_message WHERE id BETWEEN $1 AND $2 AND published_at < $3"
            " RETURNING id",
            done[0]["id"],
            done[-1]["id"],
            before,
        )
    return len(deleted)


async def prune_idempotency_keys(db: Database, *, before: datetime, batch_size: int) -> int:
    """One batch of Idempotency-Key answers claimed before `before` (the oldest first)."""
    return await _delete_oldest(
        db, "idempotent_request", "principal, key", "created_at", before, batch_size
    )


async def _delete_oldest(
    db: Database, table: str, key: str, age: str, before: datetime, batch_size: int
) -> int:
    """Delete up to `batch_size` rows of `table` whose `age` column is before `before`, the
    oldest first (by the index on `age`); how many went. `key`: the primary key's columns."""
    async with db.transaction() as conn:
        deleted = await conn.fetch(
            f"DELETE FROM {table} WHERE ({key}) IN (SELECT {key} FROM {table}"
            f" WHERE {age} < $1 ORDER BY {age} LIMIT $2) RETURNING 1",
            before,
            batch_size,
        )
    return len(deleted)

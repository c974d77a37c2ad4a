"""Transactional outbox and its relay: events reach the bus only from rows committed with the state.

Why a separate outbox table rather than tailing `stored_event.position`: a reader that remembers
"last position seen" skips a row whose transaction took its position early but committed late.
The relay asks for *unpublished* rows instead, so a late commit is simply picked up next round.

Why exactly one active relay per service database (`pg_try_advisory_xact_lock`) and not
`FOR UPDATE SKIP LOCKED` across replicas: with SKIP LOCKED two relays could take rows n and n+1 of
one key and publish them out of order. Rows of one aggregate already sit in commit order because
`UNIQUE (stream_id, version)` serialises its writers; a single relay carries that order to the bus.

Delivery is at least once: if the bus accepts a batch and the UPDATE then fails, the batch is sent
again and consumers' inboxes absorb the duplicate. Published rows are deleted once older than
the retention period (shared/retention.py).
"""

import asyncio
import logging
from collections.abc import Sequence

from prometheus_client import Counter, Gauge

from shared.bus import OutgoingMessage, Publisher
from shared.clock import Clock, SystemClock
from shared.db import Connection, Database, Row
from shared.envelope import CONTENT_TYPE, CONTENT_TYPE_HEADER, TYPE_HEADER, TYPE_PREFIX, Envelope
from shared.signal import wait_at_most

logger = logging.getLogger(__name__)

OUTBOX_PUBLISHED = Counter("gapless_outbox_published_total", "Outbox rows published", ["service"])
OUTBOX_BACKLOG = Gauge("gapless_outbox_backlog", "Outbox rows not yet published", ["service"])

_INSERT = (
    "INSERT INTO outbox_message (event_id, topic, key, event_type, payload, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
)


async def add_to_outbox(conn: Connection, *, topic: str, envelopes: Sequence[Envelope]) -> None:
    """Queue envelopes for publication inside the caller's transaction."""
    await add_all_to_outbox(conn, [(topic, envelope) for envelope in envelopes])


async def add_all_to_outbox(conn: Connection, outgoing: Sequence[tuple[str, Envelope]]) -> None:
    """Queue (topic, envelope) pairs with one statement, in the given order, which the relay
    keeps: row ids follow it."""
    rows = [
        (str(e.event_id), topic, e.partition_key, e.event_type, e.to_json_text(), e.occurred_at)
        for topic, e in outgoing
    ]
    if rows:
        await conn.executemany(_INSERT, rows)


def _message(row: Row) -> OutgoingMessage:
    return OutgoingMessage(
        topic=row["topic"],
        key=row["key"],
        value=row["payload"].encode(),
        # Structured mode: the value is the whole CloudEvent. No ce_* headers beside it, or
        # standard readers take the record for binary mode.
        headers=(
            (CONTENT_TYPE_HEADER, CONTENT_TYPE.encode()),
            (TYPE_HEADER, (TYPE_PREFIX + row["event_type"]).encode()),
        ),
    )


class OutboxRelay:
    """Moves committed outbox rows to the bus, oldest first, one batch per transaction."""

    def __init__(
        self,
        *,
        db: Database,
        publisher: Publisher,
        service: str,
        batch_size: int = 500,
        idle_seconds: float = 0.05,
        clock: Clock | None = None,
    ) -> None:
        self._db = db
        self._publisher = publisher
        self._service = service
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._clock = clock or SystemClock()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Called after a local commit so the next batch goes out without waiting for a poll."""
        self._wake.set()

    async def relay_batch(self) -> int:
        """Publish up to one batch of unpublished rows; returns how many were sent."""
        async with self._db.transaction() as conn:
            if not await self._is_sole_relay(conn):
                return 0
            rows = await conn.fetch(
                "SELECT id, event_id, topic, key, event_type, payload FROM outbox_message"
                " WHERE published_at IS NULL ORDER BY id LIMIT $1",
                self._batch_size,
            )
            if not rows:
                return 0
            await self._publisher.publish([_message(row) for row in rows])
            await self._mark_published(conn, [row["id"] for row in rows])
        OUTBOX_PUBLISHED.labels(self._service).inc(len(rows))
        return len(rows)

    async def _is_sole_relay(self, conn: Connection) -> bool:
        if conn.dialect != "postgresql":
            return True  # one process owns an embedded SQLite file
        # Transaction-scoped: released by commit or rollback, even if this process dies.
        locked = await conn.fetchval(
            "SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox-relay'))"
        )
        return bool(locked)

    async def _mark_published(self, conn: Connection, ids: list[int]) -> None:
        # Mark exactly the ids sent, never an id range: a range could cover a row that committed
        # after our SELECT and would then be marked without ever being published.
        now = self._clock.now()
        if conn.dialect == "postgresql":
            await conn.execute(
                "UPDATE outbox_message SET published_at = $1 WHERE id = ANY($2::bigint[])", now, ids
            )
        else:
            await conn.executemany(
                "UPDATE outbox_message SET published_at = $1 WHERE id = $2",
                [(now, row_id) for row_id in ids],
            )

    async def refresh_backlog(self) -> None:
        """Set the backlog gauge (published rows are deleted by the retention job)."""
        async with self._db.transaction() as conn:
            backlog = await conn.fetchval(
                "SELECT count(*) FROM outbox_message WHERE published_at IS NULL"
            )
        OUTBOX_BACKLOG.labels(self._service).set(backlog)

    async def run(self, *, housekeeping_seconds: float = 30.0) -> None:
        """Relay until cancelled; a failing bus or database is retried with capped backoff."""
        backoff = self._idle_seconds
        loop = asyncio.get_running_loop()
        next_housekeeping = loop.time()
        while True:
            try:
                if loop.time() >= next_housekeeping:
                    await self.refresh_backlog()
                    next_housekeeping = loop.time() + housekeeping_seconds
                # Cleared before reading, so a commit landing during the batch still wakes us.
                self._wake.clear()
                sent = await self.relay_batch()
                backoff = self._idle_seconds
            except Exception:
                logger.exception("outbox relay failed; retrying", extra={"service": self._service})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if sent == 0:
                await wait_at_most(self._wake, self._idle_seconds)

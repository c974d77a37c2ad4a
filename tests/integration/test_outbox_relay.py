"""Outbox relay on PostgreSQL: every committed row published once, per-key order, one relay."""

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from uuid import UUID, uuid4

import pytest

from shared.bus import OutgoingMessage
from shared.bus.memory import MemoryBroker
from shared.db import PostgresDatabase, connect
from shared.envelope import Envelope
from shared.outbox import OutboxRelay, add_to_outbox
from shared.testing import eventually
from shared.testing.builders import an_envelope
from shared.testing.database import count_rows

pytestmark = pytest.mark.integration

TOPIC = "parcels.events"
WRITERS = 20
TRANSACTIONS_PER_WRITER = 4
ROWS_PER_TRANSACTION = 3
ROWS_PER_WRITER = TRANSACTIONS_PER_WRITER * ROWS_PER_TRANSACTION
HELD_OPEN_SECONDS = 3.0
UNPUBLISHED = "WHERE published_at IS NULL"


def rows_for(key: UUID, first_seq: int) -> list[Envelope]:
    return [
        an_envelope(
            correlation_id=key,
            aggregate_id=str(key),
            aggregate_version=first_seq + n + 1,
            data={"seq": first_seq + n},
        )
        for n in range(ROWS_PER_TRANSACTION)
    ]


async def write(db: PostgresDatabase, key: UUID, *, hold_first_open: float = 0.0) -> list[Envelope]:
    """One writer: transactions one after another, rows inserted with random pauses between."""
    written: list[Envelope] = []
    for transaction in range(TRANSACTIONS_PER_WRITER):
        envelopes = rows_for(key, len(written))
        async with db.transaction() as conn:
            for envelope in envelopes:
                await add_to_outbox(conn, topic=TOPIC, envelopes=[envelope])
                await asyncio.sleep(random.uniform(0, 0.05))
            if transaction == 0:
                await asyncio.sleep(hold_first_open)
        written += envelopes
    return written


def published(broker: MemoryBroker) -> list[Envelope]:
    return [Envelope.from_json(record.value) for record in broker.topics.get(TOPIC, [])]


async def overtaken(db: PostgresDatabase, sent: list[Envelope], late: list[Envelope]) -> bool:
    """Whether rows inserted after the `late` ones were published before them (a real gap)."""
    async with db.transaction() as conn:
        rows = await conn.fetch("SELECT id, event_id FROM outbox_message")
    ids = {UUID(row["event_id"]): row["id"] for row in rows}
    late_ids = {e.event_id for e in late}
    first_late = min(i for i, e in enumerate(sent) if e.event_id in late_ids)
    return any(ids[e.event_id] > max(ids[i] for i in late_ids) for e in sent[:first_late])


@contextlib.asynccontextmanager
async def relaying(relay: OutboxRelay) -> AsyncIterator[None]:
    task = asyncio.create_task(relay.run())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_concurrent_writers_rows_are_all_published_once_in_per_key_order(
    postgres_db: PostgresDatabase,
) -> None:
    broker, keys = MemoryBroker(), [uuid4() for _ in range(WRITERS)]
    relay = OutboxRelay(
        db=postgres_db, publisher=broker, service="parcels", batch_size=10, idle_seconds=0.01
    )

    async with relaying(relay):
        # The first writer holds its first transaction open while the others commit around it.
        writes = await asyncio.gather(
            write(postgres_db, keys[0], hold_first_open=HELD_OPEN_SECONDS),
            *(write(postgres_db, key) for key in keys[1:]),
        )
        written = [envelope for w in writes for envelope in w]

        async def all_published_and_marked() -> None:
            assert len(published(broker)) >= len(written)
            assert await count_rows(postgres_db, "outbox_message", UNPUBLISHED) == 0

        await eventually(all_published_and_marked, timeout=30)
    sent = published(broker)

    assert Counter(e.event_id for e in sent) == Counter(e.event_id for e in written)
    assert {key: [e.data["seq"] for e in sent if e.correlation_id == key] for key in keys} == {
        key: list(range(ROWS_PER_WRITER)) for key in keys
    }
    assert await overtaken(postgres_db, sent, late=writes[0][:ROWS_PER_TRANSACTION])


class GatedPublisher:
    """Blocks inside `publish` (so inside the relay's transaction) until released."""

    def __init__(self) -> None:
        self.publishing = asyncio.Event()
        self.release = asyncio.Event()
        self.sent: list[OutgoingMessage] = []

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        self.publishing.set()
        await self.release.wait()
        self.sent += messages


async def queue(db: PostgresDatabase, envelopes: list[Envelope]) -> None:
    async with db.transaction() as conn:
        await add_to_outbox(conn, topic=TOPIC, envelopes=envelopes)


async def test_a_second_relay_gets_nothing_while_the_first_holds_the_lock(
    postgres_db: PostgresDatabase, postgres_dsn: str
) -> None:
    await queue(postgres_db, [an_envelope() for _ in range(3)])
    gated, replica_broker = GatedPublisher(), MemoryBroker()
    replica_db = await connect(postgres_dsn, schema=postgres_db.schema)
    first = OutboxRelay(db=postgres_db, publisher=gated, service="parcels")
    second = OutboxRelay(db=replica_db, publisher=replica_broker, service="parcels")

    try:
        first_batch = asyncio.create_task(first.relay_batch())
        await asyncio.wait_for(gated.publishing.wait(), 10)
        while_held = await second.relay_batch()
        gated.release.set()
        sent_by_first = await asyncio.wait_for(first_batch, 10)
        await queue(postgres_db, [an_envelope()])
        after_release = await second.relay_batch()
    finally:
        gated.release.set()
        await replica_db.close()

    assert (while_held, sent_by_first, after_release) == (0, 3, 1)
    assert len(gated.sent) == 3
    assert len(replica_broker.topics[TOPIC]) == 1


class FailingOncePublisher(MemoryBroker):
    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker went away")
        await super().publish(messages)


async def test_rows_whose_publish_failed_stay_queued_and_go_out_on_the_next_batch(
    postgres_db: PostgresDatabase,
) -> None:
    envelopes = [an_envelope() for _ in range(3)]
    await queue(postgres_db, envelopes)
    broker = FailingOncePublisher()
    relay = OutboxRelay(db=postgres_db, publisher=broker, service="parcels")

    with pytest.raises(ConnectionError):
        await relay.relay_batch()
    unpublished_after_failure = await count_rows(postgres_db, "outbox_message", UNPUBLISHED)
    sent = await relay.relay_batch()

    assert (unpublished_after_failure, sent) == (3, 3)
    assert published(broker) == envelopes

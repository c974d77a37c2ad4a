"""Outbox relay on SQLite: committed rows reach the bus once, oldest first, with their headers."""

from datetime import UTC, datetime

from shared.bus.memory import MemoryBroker
from shared.clock import FrozenClock
from shared.db import SqliteDatabase
from shared.envelope import Envelope
from shared.outbox import OutboxRelay, add_to_outbox
from shared.testing.builders import an_envelope
from shared.testing.database import count_rows

TOPIC = "parcels.events"


def relay_to(broker: MemoryBroker, db: SqliteDatabase, *, batch_size: int = 500) -> OutboxRelay:
    return OutboxRelay(
        db=db,
        publisher=broker.publisher(),
        service="parcels",
        batch_size=batch_size,
        clock=FrozenClock(datetime(2025, 3, 1, tzinfo=UTC)),
    )


async def queue(db: SqliteDatabase, envelopes: list[Envelope]) -> None:
    async with db.transaction() as conn:
        await add_to_outbox(conn, topic=TOPIC, envelopes=envelopes)


async def test_rows_are_published_oldest_first_in_batches_and_only_once(
    sqlite_db: SqliteDatabase,
) -> None:
    broker = MemoryBroker()
    envelopes = [an_envelope(data={"grams": n}) for n in range(5)]
    await queue(sqlite_db, envelopes)
    relay = relay_to(broker, sqlite_db, batch_size=2)

    sent = [await relay.relay_batch() for _ in range(4)]

    assert sent == [2, 2, 1, 0]
    assert [Envelope.from_json(r.value) for r in broker.topics[TOPIC]] == envelopes
    assert await count_rows(sqlite_db, "outbox_message", "WHERE published_at IS NULL") == 0


async def test_a_published_message_is_structured_cloudevents_with_no_binary_mode_headers(
    sqlite_db: SqliteDatabase,
) -> None:
    broker, envelope = MemoryBroker(), an_envelope(event_type="ParcelWeighed")
    await queue(sqlite_db, [envelope])

    await relay_to(broker, sqlite_db).relay_batch()

    [record] = broker.topics[TOPIC]
    assert record.key == envelope.partition_key.encode()
    # A ce_* header would make standard readers take the record for binary mode.
    assert record.headers == (
        ("content-type", b"application/cloudevents+json"),
        ("event-type", b"io.gapless.ParcelWeighed"),
    )
    assert Envelope.from_json(record.value) == envelope

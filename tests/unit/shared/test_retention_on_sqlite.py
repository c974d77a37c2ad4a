"""Retention on SQLite: inbox rows, published outbox rows, local-log records and Idempotency-Key
answers older than their retention period go, a bounded batch per transaction, and nothing still
needed goes with them."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from uuid import uuid4

import pytest

from shared.bus.local import LocalLogBroker
from shared.bus.memory import MemoryBroker
from shared.clock import FrozenClock
from shared.db import SqliteDatabase
from shared.inbox import claim_all
from shared.outbox import OutboxRelay, add_to_outbox
from shared.retention import in_batches, prune_idempotency_keys, prune_inbox, prune_outbox
from shared.testing.builders import a_group_name, a_topic_name, an_envelope, numbered_messages
from shared.testing.consuming import group_member, receive
from shared.testing.database import count_rows

T0 = datetime(2025, 3, 1, tzinfo=UTC)
PERIOD = timedelta(days=14)
T1 = T0 + PERIOD + timedelta(hours=1)


async def claimed(db: SqliteDatabase, ids: list[str], at: datetime) -> set[str]:
    async with db.transaction() as conn:
        return await claim_all(conn, consumer="billing", message_ids=ids, at=at)


async def test_inbox_rows_older_than_the_cutoff_go_a_batch_at_a_time(
    sqlite_db: SqliteDatabase,
) -> None:
    old, recent = [str(uuid4()) for _ in range(5)], [str(uuid4()) for _ in range(2)]
    await claimed(sqlite_db, old, T0)
    await claimed(sqlite_db, recent, T1 - timedelta(days=1))
    prune = partial(prune_inbox, sqlite_db, before=T1 - PERIOD, batch_size=2)

    first = await prune()
    rest = await in_batches(prune, 2)

    assert (first, rest) == (2, 3)
    assert await count_rows(sqlite_db, "processed_message") == 2
    # Inside the retention a redelivery is still a no-op...
    assert await claimed(sqlite_db, recent, T1) == set()
    # ...while an id the inbox forgot would take effect again: why the settings refuse a
    # retention that does not outlast every redelivery.
    assert await claimed(sqlite_db, old[:1], T1) == set(old[:1])


async def test_published_outbox_rows_go_from_the_oldest_up_to_the_first_one_still_needed(
    sqlite_db: SqliteDatabase,
) -> None:
    broker = MemoryBroker()

    async def publish(count: int, at: datetime) -> None:
        async with sqlite_db.transaction() as conn:
            await add_to_outbox(
                conn, topic="parcels", envelopes=[an_envelope() for _ in range(count)]
            )
        relay = OutboxRelay(
            db=sqlite_db, publisher=broker.publisher(), service="p", clock=FrozenClock(at)
        )
        await relay.relay_batch()

    await publish(3, T0)
    await publish(1, T1)
    async with sqlite_db.transaction() as conn:  # queued, never published (the bus is down)
        await add_to_outbox(conn, topic="parcels", envelopes=[an_envelope()])

    first = await in_batches(partial(prune_outbox, sqlite_db, before=T1, batch_size=2), 2)
    later = await prune_outbox(sqlite_db, before=T1 + PERIOD, batch_size=100)

    assert (first, later) == (3, 1)
    assert await count_rows(sqlite_db, "outbox_message", "WHERE published_at IS NULL") == 1
    assert await count_rows(sqlite_db, "outbox_message") == 1


async def test_idempotency_key_answers_older_than_their_period_go_the_oldest_first(
    sqlite_db: SqliteDatabase,
) -> None:
    async with sqlite_db.transaction() as conn:
        for key, created_at in (("a", T0), ("b", T0 + timedelta(minutes=30)), ("c", T1)):
            await conn.execute(
                "INSERT INTO idempotent_request (principal, key, fingerprint, created_at, status,"
                " body) VALUES ('shop', $1, 'f', $2, 201, '{}')",
                key,
                created_at,
            )
    prune = partial(prune_idempotency_keys, sqlite_db, before=T1 - PERIOD, batch_size=1)

    first = await prune()
    remaining = await count_rows(sqlite_db, "idempotent_request", "WHERE key = 'b'")
    rest = await in_batches(prune, 1)

    assert (first, remaining, rest) == (1, 1, 1)
    assert await count_rows(sqlite_db, "idempotent_request", "WHERE key = 'c'") == 1
    assert await count_rows(sqlite_db, "idempotent_request") == 1


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
async def log(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[LocalLogBroker]:
    broker = LocalLogBroker(str(tmp_path / "events.db"), clock=clock)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.close()


async def held(log: LocalLogBroker, topic: str) -> list[int]:
    return [record.offset for record in await log.read(topic)]


async def read_all_and_commit(log: LocalLogBroker, topic: str, group: str, count: int) -> None:
    async with group_member(log, [topic], group=group) as member:
        await member.commit(await receive(member, count))


async def test_log_records_go_once_every_group_is_past_them_and_they_are_old(
    log: LocalLogBroker, clock: FrozenClock
) -> None:
    topic, fast, slow = a_topic_name(), a_group_name(), a_group_name()
    await log.publisher().publish(numbered_messages(topic, key="p", count=4))
    clock.advance(PERIOD + timedelta(hours=1))
    await log.publisher().publish(numbered_messages(topic, key="p", count=1, start=4))
    await read_all_and_commit(log, topic, fast, 5)
    async with group_member(log, [topic], group=slow) as member:  # known to the log: reads 2
        await member.commit((await receive(member, 5))[:2])

    pruned = await log.prune([topic], before=clock.now() - PERIOD, batch_size=100)

    assert pruned == 2
    assert await held(log, topic) == [3, 4, 5]
    async with group_member(log, [topic], group=slow) as member:  # resumes where it was
        assert [record.offset for record in await receive(member, 3)] == [3, 4, 5]


async def test_a_group_holds_back_what_it_has_not_read_from_its_first_start(
    log: LocalLogBroker, clock: FrozenClock
) -> None:
    topic = a_topic_name()
    await log.publisher().publish(numbered_messages(topic, key="p", count=3))
    async with group_member(log, [topic], group=a_group_name()):
        pass  # started, read nothing
    clock.advance(PERIOD * 2)
    await log.publisher().publish(numbered_messages(topic, key="p", count=1, start=3))

    pruned = await log.prune([topic], before=clock.now() - PERIOD, batch_size=100)

    assert pruned == 0
    assert await held(log, topic) == [1, 2, 3, 4]


async def test_a_topic_no_group_reads_keeps_what_is_inside_the_retention(
    log: LocalLogBroker, clock: FrozenClock
) -> None:
    topic = a_topic_name()
    await log.publisher().publish(numbered_messages(topic, key="p", count=3))
    clock.advance(PERIOD + timedelta(hours=1))
    await log.publisher().publish(numbered_messages(topic, key="p", count=2, start=3))

    pruned = await in_batches(
        partial(log.prune, [topic], before=clock.now() - PERIOD, batch_size=2), 2
    )

    assert pruned == 3
    assert await held(log, topic) == [4, 5]


async def test_positions_are_never_handed_out_again_after_the_log_was_emptied(
    log: LocalLogBroker, clock: FrozenClock
) -> None:
    """SQLite numbers a new row after the highest one left: an emptied log would start again at
    1, below every group's position, and the next records would never be read. So the newest
    record stays."""
    topic, group = a_topic_name(), a_group_name()
    await log.publisher().publish(numbered_messages(topic, key="p", count=3))
    await read_all_and_commit(log, topic, group, 3)
    clock.advance(PERIOD * 2)

    pruned = await log.prune([topic], before=clock.now() - PERIOD, batch_size=100)
    await log.publisher().publish(numbered_messages(topic, key="p", count=1, start=3))

    assert pruned == 2
    async with group_member(log, [topic], group=group) as member:
        assert [record.offset for record in await receive(member, 1)] == [4]

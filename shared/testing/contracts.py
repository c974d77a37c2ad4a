"""Contract suites every backend must pass: subclass one per backend and provide its fixtures.

The classes are named `...Contract`, not `Test...`, so pytest collects only the subclasses:

    class TestSqliteEventStore(EventStoreContract):
        @pytest.fixture
        def db(self, sqlite_db): return sqlite_db

        @pytest.fixture
        def store(self): return SqlEventStore()
"""

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from shared.bus import Broker, Record
from shared.db import Database
from shared.envelope import Envelope
from shared.errors import ConcurrencyError
from shared.eventstore import EventStore
from shared.testing.builders import (
    a_group_name,
    a_stream,
    a_stream_id,
    a_topic_name,
    numbered_messages,
    seq_of,
)
from shared.testing.consuming import assert_nothing_more, group_member, receive

STREAM_TYPE = "parcel"


async def _append(
    db: Database, store: EventStore, stream_id: str, envelopes: list[Envelope]
) -> None:
    async with db.transaction() as conn:
        await store.append(conn, stream_id=stream_id, stream_type=STREAM_TYPE, envelopes=envelopes)


async def _load(db: Database, store: EventStore, stream_id: str) -> list[Envelope]:
    async with db.transaction() as conn:
        return await store.load(conn, stream_id)


def _aggregate_id(stream_id: str) -> str:
    return stream_id.split(":", 1)[1]


class EventStoreContract:
    """Append/load with optimistic concurrency, and the global read used by replay."""

    @pytest.fixture
    def db(self) -> Database:
        """A database with the `shared.tables` schema, empty, used by this test only."""
        raise NotImplementedError("the backend's test class provides `db`")

    @pytest.fixture
    def store(self) -> EventStore:
        raise NotImplementedError("the backend's test class provides `store`")

    async def test_appended_events_load_back_equal_including_data_versions_and_lineage(
        self, db: Database, store: EventStore
    ) -> None:
        stream_id = a_stream_id()
        data = {"grams": 1200, "tags": ["fragile", "Zürich ✓"], "dims": {"w": 3, "h": None}}
        correlation, causation = uuid4(), uuid4()
        envelopes = a_stream(
            3,
            aggregate_id=_aggregate_id(stream_id),
            data=data,
            correlation_id=correlation,
            causation_id=causation,
        )

        await _append(db, store, stream_id, envelopes)
        loaded = await _load(db, store, stream_id)

        assert loaded == envelopes
        assert [e.aggregate_version for e in loaded] == [1, 2, 3]
        assert {(e.correlation_id, e.causation_id) for e in loaded} == {(correlation, causation)}

    async def test_a_later_append_continues_the_versions_of_the_stream(
        self, db: Database, store: EventStore
    ) -> None:
        stream_id = a_stream_id()
        first = a_stream(2, aggregate_id=_aggregate_id(stream_id))
        second = a_stream(3, aggregate_id=_aggregate_id(stream_id), first_version=3)

        await _append(db, store, stream_id, first)
        await _append(db, store, stream_id, second)

        assert [e.aggregate_version for e in await _load(db, store, stream_id)] == [1, 2, 3, 4, 5]

    async def test_an_unknown_stream_loads_as_empty(self, db: Database, store: EventStore) -> None:
        assert await _load(db, store, a_stream_id()) == []

    async def test_appending_at_a_stale_expected_version_raises_and_stores_nothing(
        self, db: Database, store: EventStore
    ) -> None:
        stream_id = a_stream_id()
        existing = a_stream(2, aggregate_id=_aggregate_id(stream_id))
        await _append(db, store, stream_id, existing)
        stale = a_stream(2, aggregate_id=_aggregate_id(stream_id), first_version=2)

        with pytest.raises(ConcurrencyError) as raised:
            await _append(db, store, stream_id, stale)

        assert raised.value.stream_id == stream_id
        assert raised.value.expected_version == 1
        assert await _load(db, store, stream_id) == existing

    async def test_two_concurrent_appends_at_the_same_version_let_exactly_one_win(
        self, db: Database, store: EventStore
    ) -> None:
        stream_id = a_stream_id()
        await _append(db, store, stream_id, a_stream(1, aggregate_id=_aggregate_id(stream_id)))
        rivals = [
            a_stream(2, aggregate_id=_aggregate_id(stream_id), first_version=2, data={"by": who})
            for who in ("alice", "bob")
        ]
        both_have_read = asyncio.Barrier(2)

        async def read_decide_append(envelopes: list[Envelope]) -> None:
            # Both writers see version 1 before either appends: the race the store must settle.
            assert len(await _load(db, store, stream_id)) == 1
            await both_have_read.wait()
            await _append(db, store, stream_id, envelopes)

        outcomes = await asyncio.gather(
            *(read_decide_append(r) for r in rivals), return_exceptions=True
        )

        winners = [r for r, outcome in zip(rivals, outcomes, strict=True) if outcome is None]
        losers = [outcome for outcome in outcomes if outcome is not None]
        assert len(winners) == 1, outcomes
        assert len(losers) == 1 and isinstance(losers[0], ConcurrencyError), outcomes
        assert (await _load(db, store, stream_id))[1:] == winners[0]

    async def test_read_all_returns_events_after_an_offset_in_position_order(
        self, db: Database, store: EventStore
    ) -> None:
        first, second = a_stream_id(), a_stream_id()
        await _append(db, store, first, a_stream(2, aggregate_id=_aggregate_id(first)))
        await _append(db, store, second, a_stream(1, aggregate_id=_aggregate_id(second)))
        await _append(
            db, store, first, a_stream(2, aggregate_id=_aggregate_id(first), first_version=3)
        )

        async with db.transaction() as conn:
            everything = await store.read_all(conn)
            after_second = await store.read_all(conn, after=everything[1].position)
            limited = await store.read_all(conn, after=everything[0].position, limit=2)

        positions = [stored.position for stored in everything]
        assert positions == sorted(set(positions))
        assert [s.stream_id for s in everything] == [first, first, second, first, first]
        assert after_second == everything[2:]
        assert limited == everything[1:3]

    async def test_read_all_since_a_time_returns_only_events_that_occurred_from_then(
        self, db: Database, store: EventStore
    ) -> None:
        now = datetime.now(UTC)
        stream_id = a_stream_id()
        aggregate_id = _aggregate_id(stream_id)
        old = a_stream(2, aggregate_id=aggregate_id, occurred_at=now - timedelta(hours=2))
        new = a_stream(2, aggregate_id=aggregate_id, first_version=3, occurred_at=now)
        await _append(db, store, stream_id, old + new)

        async with db.transaction() as conn:
            since = await store.read_all(conn, since=now - timedelta(hours=1))
            since_and_after = await store.read_all(
                conn, since=now - timedelta(hours=1), after=since[0].position
            )

        assert [s.envelope for s in since] == new
        assert [s.envelope for s in since_and_after] == new[1:]

    async def test_read_all_since_a_time_compares_instants_whatever_the_utc_offset(
        self, db: Database, store: EventStore
    ) -> None:
        cest = timezone(timedelta(hours=2))
        stream_id = a_stream_id()
        # 10:00+02:00 is 08:00Z, before the 09:00Z cut-off; 11:30+02:00 is 09:30Z, after it.
        aggregate_id = _aggregate_id(stream_id)
        at_eight_utc = datetime(2025, 3, 1, 10, tzinfo=cest)
        at_half_past_nine_utc = datetime(2025, 3, 1, 11, 30, tzinfo=cest)
        before = a_stream(1, aggregate_id=aggregate_id, occurred_at=at_eight_utc)
        after = a_stream(
            1, aggregate_id=aggregate_id, first_version=2, occurred_at=at_half_past_nine_utc
        )
        await _append(db, store, stream_id, before + after)

        async with db.transaction() as conn:
            since = await store.read_all(conn, since=datetime(2025, 3, 1, 9, tzinfo=UTC))

        assert [s.envelope.event_id for s in since] == [after[0].event_id]


def _by_key(records: Sequence[Record]) -> dict[str, list[int]]:
    seqs: dict[str, list[int]] = defaultdict(list)
    for record in records:
        key, seq = seq_of(record)
        seqs[key].append(seq)
    return dict(seqs)


class BusContract:
    """Publish/consume, per-key order, group offsets and fan-out to several groups."""

    @pytest.fixture
    def broker(self) -> Broker:
        """A started broker, closed after the test."""
        raise NotImplementedError("the backend's test class provides `broker`")

    @pytest.fixture
    async def topic(self, broker: Broker) -> str:
        name = a_topic_name()
        await broker.ensure_topics([name])
        return name

    async def test_a_published_message_is_received_with_its_key_value_and_headers(
        self, broker: Broker, topic: str
    ) -> None:
        [message] = numbered_messages(topic, key="parcel-1", count=1)

        await broker.publisher().publish([message])
        async with group_member(broker, [topic], group=a_group_name()) as member:
            [record] = await receive(member, 1)

        assert record.topic == topic
        assert record.key == b"parcel-1"
        assert record.value == message.value
        assert record.header("test-seq") == "0"

    async def test_each_key_keeps_its_publish_order_when_keys_interleave(
        self, broker: Broker, topic: str
    ) -> None:
        keys = ["parcel-a", "parcel-b", "parcel-c"]
        interleaved = [
            message
            for seq in range(50)
            for key in keys
            for message in numbered_messages(topic, key=key, count=1, start=seq)
        ]

        for start in range(0, len(interleaved), 15):
            await broker.publisher().publish(interleaved[start : start + 15])
        async with group_member(broker, [topic], group=a_group_name()) as member:
            records = await receive(member, len(interleaved))

        assert _by_key(records) == {key: list(range(50)) for key in keys}

    async def test_a_new_member_of_the_group_resumes_after_the_last_committed_record(
        self, broker: Broker, topic: str
    ) -> None:
        group = a_group_name()
        await broker.publisher().publish(numbered_messages(topic, key="parcel-1", count=10))

        async with group_member(broker, [topic], group=group) as first:
            fetched = await receive(first, 10)
            await first.commit(fetched[:6])
        async with group_member(broker, [topic], group=group) as second:
            redelivered = await receive(second, 4)
            await second.commit(redelivered)
            await assert_nothing_more(second)

        assert [seq_of(r)[1] for r in fetched] == list(range(10))
        assert [seq_of(r)[1] for r in redelivered] == [6, 7, 8, 9]

    async def test_two_groups_each_receive_every_message(self, broker: Broker, topic: str) -> None:
        keys = ("parcel-a", "parcel-b")
        messages = [m for key in keys for m in numbered_messages(topic, key=key, count=10)]
        await broker.publisher().publish(messages)

        async with group_member(broker, [topic], group=a_group_name()) as billing:
            billed = await receive(billing, 20)
        async with group_member(broker, [topic], group=a_group_name()) as shipping:
            shipped = await receive(shipping, 20)

        expected = {"parcel-a": list(range(10)), "parcel-b": list(range(10))}
        assert _by_key(billed) == expected
        assert _by_key(shipped) == expected

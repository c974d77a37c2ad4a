"""Consumer runtime on the in-memory bus: exactly one effect per event, poison to the DLQ."""

import json
from collections.abc import Sequence
from dataclasses import replace
from uuid import uuid4

import pytest
from pydantic import BaseModel, ConfigDict

from shared.bus import OutgoingMessage, Record
from shared.bus.memory import MemoryBroker
from shared.consumer import AfterCommit, Consumer, Route
from shared.db import SqliteDatabase
from shared.deadletter import dlq_topic
from shared.envelope import Envelope
from shared.errors import ConcurrencyError
from shared.settings import ConsumerSettings
from shared.testing import eventually
from shared.testing.builders import a_group_name, a_message, an_envelope
from shared.testing.database import count_rows
from shared.testing.sample import (
    PARCEL_WEIGHT_DDL,
    WEIGHING,
    ParcelWeighedIn,
    record_weight,
    running,
    weighing_unit_of_work,
)
from shared.unit_of_work import UnitOfWork

TOPIC = "parcels.events"
ATTEMPTS = 3


class ParcelJammedIn(BaseModel):
    model_config = ConfigDict(extra="ignore")


@pytest.fixture
async def db(sqlite_db: SqliteDatabase) -> SqliteDatabase:
    async with sqlite_db.transaction() as conn:
        # No unique key on purpose: a second effect of one event must show up as a second row.
        await conn.execute(PARCEL_WEIGHT_DDL)
    return sqlite_db


def consumer_for(
    broker: MemoryBroker,
    db: SqliteDatabase,
    *,
    group: str,
    routes: dict[str, Route] = WEIGHING,
    after_db_commit: AfterCommit | None = None,
    lanes: int = 1,
    topics: Sequence[str] = (TOPIC,),
) -> Consumer:
    return Consumer(
        group=group,
        subscription=broker.subscription(topics, group=group),
        dead_letters=broker.publisher(),
        routes=routes,
        unit_of_work=weighing_unit_of_work(db),
        settings=ConsumerSettings(
            batch_size=100,
            poll_timeout_ms=20,
            handler_attempts=ATTEMPTS,
            retry_initial_seconds=0.001,
            retry_max_seconds=0.005,
            lanes=lanes,
        ),
        after_db_commit=after_db_commit,
    )


async def weights(db: SqliteDatabase) -> list[tuple[str, int]]:
    async with db.transaction() as conn:
        rows = await conn.fetch("SELECT event_id, grams FROM parcel_weight ORDER BY rowid")
    return [(row["event_id"], row["grams"]) for row in rows]


def weighed(grams: int) -> Envelope:
    return an_envelope(event_type="ParcelWeighed", data={"grams": grams})


def dead_letters(broker: MemoryBroker, group: str) -> list[Record]:
    return broker.topics.get(dlq_topic(group), [])


async def test_with_every_record_delivered_twice_each_event_takes_effect_once(
    db: SqliteDatabase,
) -> None:
    broker, group = MemoryBroker(redeliver=True), a_group_name()
    envelopes = [weighed(grams) for grams in range(1, 31)]

    async with running(consumer_for(broker, db, group=group)):
        for start in (0, 10, 20):
            await broker.publish([a_message(TOPIC, e) for e in envelopes[start : start + 10]])

        async def all_committed() -> None:
            assert broker.committed.get((group, TOPIC)) == 30

        await eventually(all_committed)

    assert await weights(db) == [(str(e.event_id), e.data["grams"]) for e in envelopes]
    assert await count_rows(db, "processed_message") == 30
    assert dead_letters(broker, group) == []


async def test_with_concurrent_lanes_each_flow_keeps_its_order_and_takes_effect_once(
    db: SqliteDatabase,
) -> None:
    broker, group = MemoryBroker(redeliver=True), a_group_name()
    flows = [uuid4() for _ in range(5)]
    envelopes = [
        an_envelope(data={"grams": grams}, correlation_id=flows[grams % 5])
        for grams in range(1, 41)
    ]

    async with running(consumer_for(broker, db, group=group, lanes=4)):
        for start in range(0, 40, 8):
            await broker.publish([a_message(TOPIC, e) for e in envelopes[start : start + 8]])

        async def all_committed() -> None:
            assert broker.committed.get((group, TOPIC)) == 40

        await eventually(all_committed)

    order = [grams for _, grams in await weights(db)]
    assert sorted(order) == list(range(1, 41))  # each once, none twice
    for flow in range(5):
        of_flow = [grams for grams in order if grams % 5 == flow]
        assert of_flow == sorted(of_flow)


def _without_id(envelope: Envelope) -> bytes:
    document = envelope.to_cloudevent()
    del document["id"]
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("poison", "reason"),
    [
        (b"{not json", "malformed envelope: not JSON"),
        (_without_id(weighed(5)), "malformed envelope: envelope lacks attribute 'id'"),
        (weighed(5).model_copy(update={"data": {"grams": "heavy"}}).to_json(), "fails its schema"),
    ],
    ids=["bad JSON", "missing attribute", "data failing the route model"],
)
async def test_a_poison_message_goes_to_the_dlq_with_its_reason_and_the_next_event_is_handled(
    db: SqliteDatabase, poison: bytes, reason: str
) -> None:
    broker, group = MemoryBroker(), a_group_name()
    good = weighed(800)
    await broker.publish([OutgoingMessage(TOPIC, "parcel-1", poison), a_message(TOPIC, good)])

    async with running(consumer_for(broker, db, group=group)):

        async def past_both() -> None:
            assert broker.committed.get((group, TOPIC)) == 2

        await eventually(past_both)

    [dead] = dead_letters(broker, group)
    assert dead.value == poison
    assert reason in (dead.header("dlq-reason") or "")
    assert (dead.header("dlq-origin-topic"), dead.header("dlq-origin-offset")) == (TOPIC, "0")
    assert await weights(db) == [(str(good.event_id), 800)]


def _weighing_and_jammed(calls: list[str]) -> dict[str, Route]:
    """The weighing routes, and one for `ParcelJammed` whose handler always fails, noting the id
    of each event it was given."""

    async def jam(_event: ParcelJammedIn, envelope: Envelope, _uow: UnitOfWork) -> None:
        calls.append(str(envelope.event_id))
        raise RuntimeError("the scale is jammed")

    return WEIGHING | {"ParcelJammed": Route(ParcelJammedIn, jam)}


async def test_a_handler_that_always_fails_is_dead_lettered_while_its_batch_still_takes_effect(
    db: SqliteDatabase,
) -> None:
    broker, group = MemoryBroker(), a_group_name()
    calls: list[str] = []
    routes = _weighing_and_jammed(calls)
    first, jammed, last = weighed(100), an_envelope(event_type="ParcelJammed"), weighed(300)
    await broker.publish([a_message(TOPIC, e) for e in (first, jammed, last)])

    async with running(consumer_for(broker, db, group=group, routes=routes)):

        async def past_all_three() -> None:
            assert broker.committed.get((group, TOPIC)) == 3

        await eventually(past_all_three)

    # Once inside the whole batch, then ATTEMPTS times on its own before giving up.
    assert len(calls) == 1 + ATTEMPTS
    [dead] = dead_letters(broker, group)
    assert Envelope.from_json(dead.value).event_id == jammed.event_id
    assert dead.header("dlq-error") == "RuntimeError"
    assert "the scale is jammed" in (dead.header("dlq-reason") or "")
    assert await weights(db) == [(str(first.event_id), 100), (str(last.event_id), 300)]
    assert await count_rows(db, "processed_message") == 2


async def test_a_dead_letter_that_fails_again_stays_in_its_dlq_instead_of_looping(
    db: SqliteDatabase,
) -> None:
    # A consumer that watches its own DLQ (as andon's does) reads its dead letter back.
    broker, group = MemoryBroker(), a_group_name()
    calls: list[str] = []
    routes = _weighing_and_jammed(calls)
    await broker.publish([a_message(TOPIC, an_envelope(event_type="ParcelJammed"))])
    topics = (TOPIC, dlq_topic(group))

    async with running(consumer_for(broker, db, group=group, routes=routes, topics=topics)):

        async def past_the_dead_letter_too() -> None:
            assert broker.committed.get((group, dlq_topic(group))) == 1

        await eventually(past_the_dead_letter_too)

    assert len(dead_letters(broker, group)) == 1
    assert len(calls) == 2 * (1 + ATTEMPTS)  # read from its topic, then from the DLQ: left there


async def test_a_transient_failure_is_retried_until_it_succeeds_and_is_not_dead_lettered(
    db: SqliteDatabase,
) -> None:
    broker, group = MemoryBroker(), a_group_name()
    calls: list[str] = []

    async def conflicts_twice(event: ParcelWeighedIn, envelope: Envelope, uow: UnitOfWork) -> None:
        calls.append("called")
        if len(calls) <= 2:
            raise ConcurrencyError("parcel:1", 1)
        await record_weight(event, envelope, uow)

    envelope = weighed(400)
    await broker.publish([a_message(TOPIC, envelope)])
    routes = {"ParcelWeighed": Route(ParcelWeighedIn, conflicts_twice)}

    async with running(consumer_for(broker, db, group=group, routes=routes)):

        async def committed() -> None:
            assert broker.committed.get((group, TOPIC)) == 1

        await eventually(committed)

    assert len(calls) == 3
    assert await weights(db) == [(str(envelope.event_id), 400)]
    assert dead_letters(broker, group) == []


async def test_event_types_without_a_route_are_skipped_and_committed(db: SqliteDatabase) -> None:
    broker, group = MemoryBroker(), a_group_name()
    await broker.publish([a_message(TOPIC, an_envelope(event_type="ParcelPainted"))])

    async with running(consumer_for(broker, db, group=group)):

        async def committed() -> None:
            assert broker.committed.get((group, TOPIC)) == 1

        await eventually(committed)

    assert await weights(db) == []
    assert await count_rows(db, "processed_message") == 0
    assert dead_letters(broker, group) == []


async def test_the_after_db_commit_hook_runs_after_the_effect_commits_and_before_the_offset(
    db: SqliteDatabase,
) -> None:
    broker, group = MemoryBroker(), a_group_name()
    seen: list[tuple[int, int | None, int]] = []

    async def observe(records: Sequence[Record]) -> None:
        seen.append((len(await weights(db)), broker.committed.get((group, TOPIC)), len(records)))

    await broker.publish([a_message(TOPIC, weighed(grams)) for grams in (1, 2)])

    async with running(consumer_for(broker, db, group=group, after_db_commit=observe)):

        async def committed() -> None:
            assert broker.committed.get((group, TOPIC)) == 2

        await eventually(committed)

    assert seen == [(2, None, 2)]


async def test_a_handler_with_broken_sql_is_dead_lettered_on_sqlite_as_on_postgresql(
    db: SqliteDatabase,
) -> None:
    broker, group = MemoryBroker(), a_group_name()

    async def broken(event: ParcelWeighedIn, _envelope: Envelope, uow: UnitOfWork) -> None:
        await uow.conn.execute("INSERT INTO parcel_weights_typo (grams) VALUES ($1)", event.grams)

    await broker.publish([a_message(TOPIC, weighed(1))])
    routes = {"ParcelWeighed": Route(ParcelWeighedIn, broken)}

    async with running(consumer_for(broker, db, group=group, routes=routes)):

        async def dead_lettered() -> None:
            assert len(dead_letters(broker, group)) == 1

        await eventually(dead_lettered, timeout=3)


async def test_a_record_whose_type_header_no_route_takes_is_skipped_unread(
    db: SqliteDatabase,
) -> None:
    broker, group = MemoryBroker(), a_group_name()
    # Not even valid JSON: reading it would dead-letter it, skipping it does not.
    unread = replace(a_message(TOPIC, an_envelope(event_type="ParcelJammed")), value=b"{")

    async with running(consumer_for(broker, db, group=group)):
        await broker.publish([unread, a_message(TOPIC, weighed(700))])

        async def all_committed() -> None:
            assert broker.committed.get((group, TOPIC)) == 2

        await eventually(all_committed)

    assert [grams for _, grams in await weights(db)] == [700]
    assert dead_letters(broker, group) == []

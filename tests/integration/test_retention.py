"""Retention on both runtimes (SQLite + the local log, PostgreSQL + Kafka), by the scheduled job.

A consumer handles an event, the clock moves past the retention period, it handles another. Then
the inbox holds only what is inside the period and the local log only what is inside it or not
yet read by every group; a redelivery inside the window is still a no-op; and the old event can
no longer reach the group again: the local log no longer holds it and the group is past it, and
a replay hands over nothing recorded before the replay window.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from shared.bus import Broker
from shared.bus.kafka import KafkaBroker
from shared.bus.local import LocalLogBroker
from shared.clock import FrozenClock
from shared.envelope import Envelope
from shared.errors import InvalidRequestError
from shared.replay_api import ReplayCreate, Replays
from shared.runtime import ServiceDefinition, ServiceRuntime, Subscriptions
from shared.settings import KafkaSettings, RetentionSettings, ServiceSettings
from shared.testing.builders import a_message, an_envelope
from shared.testing.database import count_rows
from shared.testing.polling import eventually
from shared.testing.sample import WEIGHING, ParcelWeighed

pytestmark = pytest.mark.integration

effects = MetaData()
Table("parcel_weight", effects, Column("event_id", String(36)), Column("grams", Integer))
# Writes its own topic and reads it back: the topic is its to prune (the writer prunes).
DEFINITION = ServiceDefinition(
    name="weigher",
    published=(ParcelWeighed,),
    subscriptions=(
        Subscriptions(
            topics=("weigher.events",),
            routes=WEIGHING,
        ),
    ),
    other_tables=(effects,),
)
TOPIC = DEFINITION.topic
RETENTION = RetentionSettings(every=timedelta(milliseconds=50))


@dataclass
class Running:
    runtime: ServiceRuntime
    broker: Broker
    clock: FrozenClock

    async def send(self, envelope: Envelope) -> None:
        await self.broker.publisher().publish([a_message(TOPIC, envelope)])

    async def effects(self, envelope: Envelope) -> int:
        where = "WHERE event_id = $1"
        return await count_rows(self.runtime.db, "parcel_weight", where, str(envelope.event_id))

    async def handled(self, envelope: Envelope) -> None:
        async def once() -> None:
            assert await self.effects(envelope) == 1
            assert await self.runtime.consumers[0].lag() == 0

        await eventually(once, timeout=30)

    async def inbox(self) -> set[str]:
        async with self.runtime.db.transaction() as conn:
            rows = await conn.fetch("SELECT message_id FROM processed_message")
        return {row["message_id"] for row in rows}


@pytest.fixture(params=["embedded", "scaleout"])
async def running(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Running]:
    clock = FrozenClock(an_envelope().occurred_at)
    broker: Broker
    if request.param == "embedded":
        settings = ServiceSettings(data_dir=tmp_path, database_url="", retention=RETENTION)
        broker = LocalLogBroker(settings.local_log_path, clock=clock)
    else:
        kafka: KafkaSettings = request.getfixturevalue("kafka_settings")
        settings = ServiceSettings(
            bus="kafka",
            database_url=request.getfixturevalue("postgres_dsn"),
            namespace=f"ret{uuid4().hex[:8]}",
            kafka=kafka,
            retention=RETENTION,
        )
        broker = KafkaBroker(kafka, namespace=settings.namespace)
    await broker.start()
    await broker.ensure_topics(DEFINITION.topics())
    runtime = ServiceRuntime(DEFINITION, settings, broker, clock=clock)
    await runtime.open()
    await runtime.start()
    try:
        yield Running(runtime, broker, clock)
    finally:
        if settings.bus == "kafka":
            async with runtime.db.transaction() as conn:
                await conn.execute(f'DROP SCHEMA "{settings.schema_for(DEFINITION.name)}" CASCADE')
        await runtime.stop()
        await broker.close()


async def test_after_the_retention_only_what_is_inside_it_is_kept_and_redelivery_is_a_no_op(
    running: Running,
) -> None:
    key = str(uuid4())  # one key: one partition, records in order
    old = an_envelope(aggregate_id=key, occurred_at=running.clock.now())
    await running.send(old)
    await running.handled(old)
    running.clock.advance(RETENTION.period + timedelta(hours=1))
    recent = an_envelope(aggregate_id=key, occurred_at=running.clock.now())
    await running.send(recent)
    await running.handled(recent)

    async def pruned() -> None:
        assert await running.inbox() == {str(recent.event_id)}

    await eventually(pruned, timeout=10)
    if isinstance(running.broker, LocalLogBroker):
        [kept] = await running.broker.read(TOPIC)
        assert Envelope.from_json(kept.value) == recent

    # A redelivery inside the window (the relay sending it again): a no-op.
    marker = an_envelope(aggregate_id=key, occurred_at=running.clock.now())
    await running.send(recent)
    await running.send(marker)
    await running.handled(marker)
    assert await running.effects(recent) == 1

    # The old event cannot reach the group again: a replay hands over only what was recorded
    # within the window (Kafka still holds the record; the local log does not).
    replays = Replays([running.runtime], running.broker)
    job = await replays.start(
        ReplayCreate(source="topic", topic=TOPIC, target="redeliver", group=DEFINITION.name)
    )
    assert job.task is not None
    await job.task
    on_kafka = isinstance(running.broker, KafkaBroker)
    assert job.result is not None
    assert (job.result["records"], job.result["outside_window"]) == (3, 1 if on_kafka else 0)
    assert [await running.effects(e) for e in (old, recent, marker)] == [1, 1, 1]
    with pytest.raises(InvalidRequestError, match="older than the replay window"):
        await replays.start(
            ReplayCreate.model_validate(
                {
                    "source": "topic",
                    "topic": TOPIC,
                    "target": "redeliver",
                    "group": DEFINITION.name,
                    "from": {"time": old.occurred_at.isoformat()},
                }
            )
        )


async def test_idempotency_key_answers_go_once_older_than_their_own_period(
    running: Running,
) -> None:
    now = running.clock.now()
    ages = {"expired": RETENTION.idempotency_keys + timedelta(hours=1), "kept": timedelta(hours=1)}
    async with running.runtime.db.transaction() as conn:
        for key, age in ages.items():
            await conn.execute(
                "INSERT INTO idempotent_request (principal, key, fingerprint, created_at, status,"
                " body) VALUES ('shop', $1, 'f', $2, 201, '{}')",
                key,
                now - age,
            )

    async def pruned() -> None:
        async with running.runtime.db.transaction() as conn:
            rows = await conn.fetch("SELECT key FROM idempotent_request")
        assert [row["key"] for row in rows] == ["kept"]

    await eventually(pruned, timeout=10)

"""Poison on real Kafka goes to the group's DLQ topic with the reason; the consumer goes on."""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from shared.bus import OutgoingMessage
from shared.bus.kafka import KafkaBroker
from shared.consumer import Consumer
from shared.db import PostgresDatabase
from shared.deadletter import dlq_topic
from shared.settings import ConsumerSettings
from shared.testing import eventually
from shared.testing.builders import a_group_name, a_message, a_topic_name, an_envelope
from shared.testing.consuming import group_member, receive
from shared.testing.database import count_rows
from shared.testing.sample import PARCEL_WEIGHT_DDL, WEIGHING, running, weighing_unit_of_work

pytestmark = pytest.mark.integration


@contextlib.asynccontextmanager
async def consuming(
    broker: KafkaBroker, db: PostgresDatabase, *, topic: str, group: str
) -> AsyncIterator[None]:
    consumer = Consumer(
        group=group,
        subscription=broker.subscription([topic], group=group),
        dead_letters=broker.publisher(),
        routes=WEIGHING,
        unit_of_work=weighing_unit_of_work(db),
        settings=ConsumerSettings(poll_timeout_ms=50),
    )
    async with running(consumer):
        yield


async def test_poison_on_kafka_is_dead_lettered_with_its_reason_and_the_next_event_handled(
    kafka_broker: KafkaBroker, postgres_db: PostgresDatabase
) -> None:
    topic, group = a_topic_name(), a_group_name()
    await kafka_broker.ensure_topics([topic, dlq_topic(group)])
    async with postgres_db.transaction() as conn:
        await conn.execute(PARCEL_WEIGHT_DDL)
    failing_schema = an_envelope(event_type="ParcelWeighed", data={"grams": "heavy"})
    good = an_envelope(event_type="ParcelWeighed", data={"grams": 900})
    # One key, so all three share a partition and arrive in this order.
    poison = [
        OutgoingMessage(topic, "parcel-1", b"{not json"),
        OutgoingMessage(topic, "parcel-1", failing_schema.to_json()),
    ]
    await kafka_broker.publisher().publish(
        [*poison, replace(a_message(topic, good), key="parcel-1")]
    )

    async with (
        consuming(kafka_broker, postgres_db, topic=topic, group=group),
        group_member(kafka_broker, [dlq_topic(group)], group=a_group_name()) as dlq_reader,
    ):
        dead = await receive(dlq_reader, 2)

        async def good_one_handled() -> None:
            assert await count_rows(postgres_db, "parcel_weight") == 1

        await eventually(good_one_handled, timeout=30)

    assert [record.value for record in dead] == [message.value for message in poison]
    assert "malformed envelope: not JSON" in (dead[0].header("dlq-reason") or "")
    assert "ParcelWeighed fails its schema: grams" in (dead[1].header("dlq-reason") or "")
    assert {record.header("dlq-origin-topic") for record in dead} == {topic}
    assert (
        await count_rows(postgres_db, "parcel_weight", "WHERE event_id = $1", str(good.event_id))
        == 1
    )

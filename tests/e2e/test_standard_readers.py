"""Readers we did not write read what the scale-out stack put on Kafka.

The CloudEvents Python SDK's Kafka binding decodes every record on every topic, and Kafka's own
console consumer reads the outward WMS topic as a downstream warehouse system would.
"""

import asyncio
import json
import subprocess
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event

from shared.envelope import CONTENT_TYPE, Envelope
from shared.topics import WMS_PICK_REQUESTS
from tests.e2e.clients import Api, eventually
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SCALEOUT = pytest.mark.parametrize("fresh_stack", ["scaleout"], indirect=True)


async def _shipped_order(api: Api) -> str:
    customer = await api.new_customer("reader", light="green")
    sku = await api.new_item("lamp", stock=5, price_cents=1_900)
    order_id = await api.place_order(customer, [(sku, 1)])
    await api.wait_for_release(order_id, within=30)

    async def shipped() -> None:
        assert (await api.order(order_id))["status"] in ("shipped", "delivered", "completed")

    await eventually(shipped, timeout=60, interval=0.2)
    return order_id


async def _every_record(stack: Stack) -> dict[str, list[KafkaMessage]]:
    """Every record on every topic of the stack's namespace, from the start, as KafkaMessages."""
    prefix = stack.env["GAPLESS_NAMESPACE"] + "."
    consumer = AIOKafkaConsumer(
        bootstrap_servers=stack.env["GAPLESS_KAFKA__BOOTSTRAP_SERVERS"],
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        topics = sorted(t for t in await consumer.topics() if t.startswith(prefix))
        # The services create every topic with this partition count (auto-creation is off).
        count = int(stack.env["GAPLESS_KAFKA__PARTITIONS"])
        partitions = [TopicPartition(t, p) for t in topics for p in range(count)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: dict[str, list[KafkaMessage]] = {t.removeprefix(prefix): [] for t in topics}
        async with asyncio.timeout(30):
            while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
                batches = await consumer.getmany(timeout_ms=500)
                for tp, batch in batches.items():
                    records[tp.topic.removeprefix(prefix)] += [
                        KafkaMessage(headers=dict(r.headers), key=r.key, value=r.value or b"")
                        for r in batch
                    ]
        return records
    finally:
        await consumer.stop()


@SCALEOUT
async def test_the_cloudevents_sdk_decodes_every_record_on_every_topic(
    fresh_stack: Stack, fresh_api: Api
) -> None:
    order_id = await _shipped_order(fresh_api)

    records = await _every_record(fresh_stack)

    decoded = {
        topic: [(from_kafka_event(m), m) for m in messages] for topic, messages in records.items()
    }
    read = [(event, message) for pairs in decoded.values() for event, message in pairs]
    assert {"order.events", "inventory.events", "fulfillment.events", WMS_PICK_REQUESTS} <= {
        topic for topic, pairs in decoded.items() if pairs
    }
    for event, message in read:
        ours = Envelope.from_json(message.value)
        assert sorted(message.headers) == ["content-type", "event-type"], "no ce_* headers"
        assert message.headers["content-type"] == CONTENT_TYPE.encode()
        assert message.headers["event-type"] == f"io.gapless.{ours.event_type}".encode()
        assert event.get_specversion() == "1.0"
        assert event.get_id() == str(ours.event_id)
        assert event.get_type() == f"io.gapless.{ours.event_type}"
        assert event.get_source() == f"urn:gapless:service:{ours.source}"
        assert event.get_subject() == ours.aggregate_id
        assert event.get_extension("correlationid") == str(ours.correlation_id)
        assert event.get_data() == ours.data
    placed = [e for e, _ in read if e.get_type() == "io.gapless.OrderPlaced"]
    assert [e.get_subject() for e in placed] == [order_id]


@SCALEOUT
async def test_kafkas_console_consumer_reads_the_outward_wms_topic(
    fresh_stack: Stack, fresh_api: Api
) -> None:
    order_id = await _shipped_order(fresh_api)
    topic = f"{fresh_stack.env['GAPLESS_NAMESPACE']}.{WMS_PICK_REQUESTS}"

    console = await asyncio.to_thread(
        subprocess.run,
        [
            "bash",
            str(REPO / "deploy" / "kafka.sh"),
            "console-consumer",
            "--bootstrap-server",
            fresh_stack.env["GAPLESS_KAFKA__BOOTSTRAP_SERVERS"],
            "--topic",
            topic,
            "--from-beginning",
            "--timeout-ms",
            "15000",
            "--property",
            "print.key=true",
            "--property",
            "print.headers=true",
        ],
        capture_output=True,
        text=True,
        timeout=50,
    )

    assert "Processed a total of" in console.stderr, console.stderr[-2000:]
    lines = [line for line in console.stdout.splitlines() if line.strip()]
    assert lines, f"nothing read from {topic}: {console.stderr[-2000:]}"
    requests = []
    for line in lines:
        headers, key, value = line.split("\t", 2)
        assert headers == f"content-type:{CONTENT_TYPE},event-type:{json.loads(value)['type']}"
        document = json.loads(value)
        assert key == document["correlationid"]
        requests.append(document)
    picks = [d for d in requests if d["type"] == "io.gapless.PickRequested"]
    assert order_id in {d["data"]["order_id"] for d in picks}
    assert all(d["source"] == "urn:gapless:service:fulfillment" for d in requests)

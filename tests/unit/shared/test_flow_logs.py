"""The flow's log lines as ops read them: JSON on stderr, ISO 8601 times with a zone, one line
per hand-off with its ids and latency, and a dead letter's reason in the order's flow."""

import io
import json
import logging
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from test_consumer_runtime import TOPIC, consumer_for, db  # noqa: F401  (fixture)

from shared.bus import Record
from shared.bus.memory import MemoryBroker
from shared.consumer import Route
from shared.db import SqliteDatabase
from shared.envelope import Envelope
from shared.logging import configure_logging
from shared.testing.builders import a_group_name, an_envelope
from shared.testing.sample import ParcelWeighedIn
from shared.unit_of_work import UnitOfWork


@pytest.fixture
def json_logs() -> Iterator[Any]:
    """The process's log configuration, its stream read back (the lines as dicts)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(service="weights")
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line]

    try:
        yield lines
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


async def _refuse(_: ParcelWeighedIn, __: Envelope, ___: UnitOfWork) -> None:
    raise ValueError("scale out of calibration")


def _record(envelope: Envelope, offset: int) -> Record:
    return Record(TOPIC, 0, offset, envelope.aggregate_id.encode(), envelope.to_json())


async def test_each_hand_off_is_one_json_line_in_the_orders_flow(
    db: SqliteDatabase,  # noqa: F811
    json_logs: Any,
) -> None:
    order_id, cause = uuid4(), uuid4()
    envelope = an_envelope(data={"grams": 5, "order_id": str(order_id)})
    envelope = envelope.model_copy(update={"correlation_id": order_id, "causation_id": cause})
    consumer = consumer_for(MemoryBroker(), db, group=a_group_name())

    await consumer.process([_record(envelope, 0), _record(envelope, 1)])  # once, then again

    logged = json_logs()
    hand_offs = [line for line in logged if line["message"] == "hand-off"]
    assert len(hand_offs) == 1, logged
    [line] = hand_offs
    assert line["correlation_id"] == str(order_id) and line["causation_id"] == str(cause)
    assert line["event"] == "ParcelWeighed" and line["event_id"] == str(envelope.event_id)
    assert line["order_id"] == str(order_id) and line["service"] == "weights"
    assert line["latency_seconds"] >= 0 and line["consumer"] == consumer.group
    assert line["time"].endswith("+00:00")


async def test_a_dead_letter_logs_its_reason_with_the_orders_correlation_id(
    db: SqliteDatabase,  # noqa: F811
    json_logs: Any,
) -> None:
    order_id = uuid4()
    envelope = an_envelope(data={"grams": 5}).model_copy(update={"correlation_id": order_id})
    routes = {"ParcelWeighed": Route(ParcelWeighedIn, _refuse)}
    consumer = consumer_for(MemoryBroker(), db, group=a_group_name(), routes=routes)

    await consumer.process([_record(envelope, 0)])

    [line] = [line for line in json_logs() if line["message"] == "dead-lettered"]
    assert line["correlation_id"] == str(order_id) and line["level"] == "ERROR"
    assert "scale out of calibration" in line["reason"] and line["error"] == "ValueError"
    assert line["event"] == "ParcelWeighed" and line["origin"] == f"{TOPIC}/0/0"
    assert not [line for line in json_logs() if line.get("message") == "hand-off"]

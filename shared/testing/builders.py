"""Builders for test data: envelopes, bus messages and unique names, with random ids per call."""

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from shared.bus import OutgoingMessage, Record
from shared.envelope import CONTENT_TYPE, CONTENT_TYPE_HEADER, TYPE_HEADER, TYPE_PREFIX, Envelope


def a_topic_name() -> str:
    """A topic no other test uses, so tests never depend on cleanup or on each other."""
    return f"test.{uuid4().hex[:8]}.events"


def a_group_name() -> str:
    return f"test-group-{uuid4().hex[:8]}"


def a_stream_id(stream_type: str = "parcel") -> str:
    return f"{stream_type}:{uuid4()}"


def an_envelope(
    *,
    event_type: str = "ParcelWeighed",
    data: dict[str, Any] | None = None,
    aggregate_id: str | None = None,
    aggregate_version: int = 1,
    occurred_at: datetime | None = None,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
    event_version: int = 1,
    source: str = "test",
) -> Envelope:
    return Envelope(
        event_id=uuid4(),
        event_type=event_type,
        event_version=event_version,
        source=source,
        aggregate_id=aggregate_id or str(uuid4()),
        aggregate_version=aggregate_version,
        occurred_at=occurred_at or datetime.now(UTC),
        correlation_id=correlation_id or uuid4(),
        causation_id=causation_id,
        data={"grams": 1200} if data is None else data,
    )


def a_stream(
    count: int, *, aggregate_id: str, first_version: int = 1, **fields: Any
) -> list[Envelope]:
    """`count` envelopes of one aggregate with consecutive versions from `first_version`."""
    return [
        an_envelope(aggregate_id=aggregate_id, aggregate_version=first_version + n, **fields)
        for n in range(count)
    ]


def a_message(topic: str, envelope: Envelope) -> OutgoingMessage:
    """The envelope as the outbox relay would put it on the bus (structured CloudEvents JSON)."""
    return OutgoingMessage(
        topic=topic,
        key=envelope.partition_key,
        value=envelope.to_json(),
        headers=(
            (CONTENT_TYPE_HEADER, CONTENT_TYPE.encode()),
            (TYPE_HEADER, (TYPE_PREFIX + envelope.event_type).encode()),
        ),
    )


def numbered_messages(topic: str, *, key: str, count: int, start: int = 0) -> list[OutgoingMessage]:
    """Plain JSON messages `{"key": key, "seq": n}`, for bus tests that do not need envelopes."""
    return [
        OutgoingMessage(
            topic=topic,
            key=key,
            value=json.dumps({"key": key, "seq": seq}).encode(),
            headers=(("test-seq", str(seq).encode()),),
        )
        for seq in range(start, start + count)
    ]


def seq_of(record: Record) -> tuple[str, int]:
    """Read back what `numbered_messages` wrote: (key, seq)."""
    body = json.loads(record.value)
    return body["key"], body["seq"]

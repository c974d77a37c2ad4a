"""Dead-letter messages: the original bytes plus why and where they failed, in headers."""

from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from shared.bus import OutgoingMessage, Record
from shared.envelope import Envelope, peek_event_type

REASON = "dlq-reason"
ERROR = "dlq-error"
GROUP = "dlq-group"
ORIGIN_TOPIC = "dlq-origin-topic"
ORIGIN_PARTITION = "dlq-origin-partition"
ORIGIN_OFFSET = "dlq-origin-offset"
FAILED_AT = "dlq-failed-at"
DEAD_LETTERED = "MessageDeadLettered"


def dlq_topic(group: str) -> str:
    """One dead-letter topic per consumer group."""
    return f"{group}.dlq"


def is_dlq_topic(topic: str) -> bool:
    return topic.endswith(".dlq")


def dead_letter(record: Record, *, group: str, reason: str, error: str) -> OutgoingMessage:
    headers = tuple(h for h in record.headers if not h[0].startswith("dlq-")) + (
        (REASON, reason[:2000].encode()),
        (ERROR, error.encode()),
        (GROUP, group.encode()),
        (ORIGIN_TOPIC, record.topic.encode()),
        (ORIGIN_PARTITION, str(record.partition).encode()),
        (ORIGIN_OFFSET, str(record.offset).encode()),
        (FAILED_AT, datetime.now(UTC).isoformat().encode()),
    )
    return OutgoingMessage(
        topic=dlq_topic(group),
        key=(record.key or b"").decode(errors="replace"),
        value=record.value,
        headers=headers,
    )


def decode_dead_letter(record: Record) -> Envelope:
    """Read a DLQ record as a `MessageDeadLettered` event, whatever its payload was.

    The id derives from the failing group and the origin coordinates, so the same failure
    dead-lettered twice (the DLQ publish is at-least-once) is one event to the inbox, while the
    same poison record failing in two groups is two.
    """
    group = record.header(GROUP) or record.topic.removesuffix(".dlq")
    origin = "/".join(
        str(record.header(h)) for h in (ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET)
    )
    data: dict[str, Any] = {
        "group": group,
        "reason": record.header(REASON) or "unknown",
        "error": record.header(ERROR) or "unknown",
        "origin_topic": record.header(ORIGIN_TOPIC) or "",
        "origin_partition": int(record.header(ORIGIN_PARTITION) or -1),
        "origin_offset": int(record.header(ORIGIN_OFFSET) or -1),
        # Release 0.1 also put the type in a ce_type header; records it dead-lettered keep it.
        "event_type": record.header("ce_type") or peek_event_type(record.value),
        "payload_excerpt": record.value[:500].decode(errors="replace"),
    }
    return Envelope(
        event_id=uuid5(NAMESPACE_URL, f"gapless-dlq:{group}:{origin}"),
        event_type=DEAD_LETTERED,
        event_version=1,
        source=group,
        aggregate_id=origin,
        aggregate_version=0,
        occurred_at=datetime.fromisoformat(
            record.header(FAILED_AT) or datetime.now(UTC).isoformat()
        ),
        correlation_id=_correlation(record.key),
        causation_id=None,
        data=data,
    )


def _correlation(key: bytes | None) -> UUID:
    text = (key or b"").decode(errors="replace")
    try:
        return UUID(text)
    except ValueError:
        return uuid5(NAMESPACE_URL, f"gapless-key:{text}")

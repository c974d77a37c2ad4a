"""The work one benchmark transaction does: a small aggregate for OURS, the same rows for RAW."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent

SOURCE = "bench"
TOPIC = "bench.events"
CONSUMER = "bench"
STREAM_TYPE = "bench_item"

CLAIM_SQL = (
    "INSERT INTO processed_message (consumer, message_id, processed_at) VALUES ($1, $2, $3)"
    " ON CONFLICT DO NOTHING RETURNING message_id"
)
APPEND_SQL = (
    "INSERT INTO stored_event (stream_id, stream_type, version, event_id, event_type,"
    " event_version, data, metadata, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
)
OUTBOX_SQL = (
    "INSERT INTO outbox_message (event_id, topic, key, event_type, payload, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
)


class ItemCounted(DomainEvent):
    item_id: UUID
    quantity: int


class ItemNoted(DomainEvent):
    item_id: UUID
    note: str


PUBLISHED = frozenset({ItemCounted.event_type(), ItemNoted.event_type()})


def events_in(transaction: int) -> int:
    """1 event in even transactions, 2 in odd ones: both variants write the same rows."""
    return 1 + transaction % 2


class BenchItem(Aggregate):
    stream_type = STREAM_TYPE
    event_classes = event_map(ItemCounted, ItemNoted)

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.quantity = 0

    def count(self, transaction: int) -> None:
        self._record(ItemCounted(item_id=UUID(self.id), quantity=transaction))
        if events_in(transaction) == 2:
            self._record(ItemNoted(item_id=UUID(self.id), note=f"note {transaction}"))

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case ItemCounted():
                self.quantity = event.quantity
            case ItemNoted():
                pass


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


@dataclass
class RawStream:
    """One stream written by hand: the version counter lives in memory, as the aggregate's does."""

    item_id: str = field(default_factory=lambda: str(uuid4()))
    correlation_id: str = field(default_factory=lambda: str(uuid4()))
    version: int = 0

    @property
    def stream_id(self) -> str:
        return f"{STREAM_TYPE}:{self.item_id}"

    def rows(
        self, transaction: int, causation_id: str, *, iso_time: bool = False
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The stored_event and outbox_message rows of one transaction."""
        now = datetime.now(UTC)
        # SQLite gets timestamps as text, the way shared.db stores them.
        at: datetime | str = now.isoformat(timespec="microseconds") if iso_time else now
        events: list[tuple[Any, ...]] = []
        messages: list[tuple[Any, ...]] = []
        payloads = [("ItemCounted", {"item_id": self.item_id, "quantity": transaction})]
        if events_in(transaction) == 2:
            payloads.append(("ItemNoted", {"item_id": self.item_id, "note": f"note {transaction}"}))
        for event_type, data in payloads:
            self.version += 1
            event_id = str(uuid4())
            metadata = {
                "source": SOURCE,
                "aggregate_id": self.item_id,
                "correlation_id": self.correlation_id,
                "causation_id": causation_id,
            }
            events.append(
                (
                    self.stream_id,
                    STREAM_TYPE,
                    self.version,
                    event_id,
                    event_type,
                    1,
                    _dumps(data),
                    _dumps(metadata),
                    at,
                )
            )
            payload = self._cloudevent(event_id, event_type, data, now, causation_id)
            messages.append((event_id, TOPIC, self.correlation_id, event_type, payload, at))
        return events, messages

    def _cloudevent(
        self, event_id: str, event_type: str, data: dict[str, Any], now: datetime, causation: str
    ) -> str:
        return _dumps(
            {
                "specversion": "1.0",
                "id": event_id,
                "type": event_type,
                "source": SOURCE,
                "subject": self.item_id,
                "time": now.isoformat(),
                "datacontenttype": "application/json",
                "dataschema": f"urn:gapless:schemas/events/{SOURCE}/{event_type}.v1.json",
                "dataversion": 1,
                "aggregateversion": self.version,
                "correlationid": self.correlation_id,
                "causationid": causation,
                "data": data,
            }
        )

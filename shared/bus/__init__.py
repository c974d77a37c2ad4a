"""Message bus ports: what the outbox relay publishes to and what consumers read from.

Three adapters implement them: `kafka` (scale-out), `local` (the durable SQLite log of embedded
mode) and `memory` (unit tests; can deliver everything twice).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

Headers = tuple[tuple[str, bytes], ...]


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    topic: str
    key: str
    value: bytes
    headers: Headers = ()


@dataclass(frozen=True, slots=True)
class Record:
    """One consumed message and where it came from (offset = what to commit past)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Headers = field(default=())

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode()
        return None


class Publisher(Protocol):
    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        """Return only once every message is durably accepted, in order per (topic, key)."""
        ...


class Subscription(Protocol):
    """One member of a consumer group, reading a fixed set of topics."""

    async def start(self) -> None: ...
    async def fetch(self, *, max_records: int, timeout_ms: int) -> list[Record]: ...
    async def commit(self, records: Sequence[Record]) -> None: ...
    async def lag(self) -> int: ...
    async def stop(self) -> None: ...


class Broker(Protocol):
    async def start(self) -> None: ...
    async def ensure_topics(self, topics: Sequence[str]) -> None: ...
    def publisher(self) -> Publisher: ...
    def subscription(self, topics: Sequence[str], *, group: str) -> Subscription: ...

    async def rewind(self, *, group: str, topic: str, since: datetime | None) -> None:
        """Move `group`'s committed position on `topic` back to `since` (None: the beginning).

        The group's members must be stopped. Redelivered events that the group already handled
        are no-ops to its inbox; the point is re-feeding a downstream group, or a fixed handler.
        """
        ...

    async def prune(self, topics: Sequence[str], *, before: datetime, batch_size: int) -> int:
        """Delete records of `topics` older than `before` that every group has read, if this
        bus keeps them itself (the local log); Kafka applies each topic's `retention.ms`."""
        ...

    async def close(self) -> None: ...

"""In-memory bus for unit tests: still serializes to bytes, and can deliver every record twice."""

from collections.abc import Sequence
from datetime import datetime

from shared.bus import OutgoingMessage, Publisher, Record, Subscription
from shared.signal import ChangeSignal


class MemoryBroker:
    """Topics as lists, committed offsets per (group, topic).

    With `redeliver=True` every fetched record comes twice in a row, as a broker may deliver it
    after a lost commit, so idempotency bugs fail unit tests rather than production.
    """

    def __init__(self, *, redeliver: bool = False) -> None:
        self.redeliver = redeliver
        self.topics: dict[str, list[Record]] = {}
        self.committed: dict[tuple[str, str], int] = {}
        self.arrived = ChangeSignal()

    async def start(self) -> None:
        return None

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        for topic in topics:
            self.topics.setdefault(topic, [])

    def publisher(self) -> Publisher:
        return self

    def subscription(self, topics: Sequence[str], *, group: str) -> Subscription:
        return MemorySubscription(self, topics, group)

    async def rewind(self, *, group: str, topic: str, since: datetime | None) -> None:
        if since is not None:
            raise NotImplementedError("the in-memory bus keeps no timestamps; rewind to the start")
        self.committed[(group, topic)] = 0

    async def prune(
        self,
        topics: Sequence[str],  # noqa: ARG002
        *,
        before: datetime,  # noqa: ARG002
        batch_size: int,  # noqa: ARG002
    ) -> int:
        return 0  # a test's bus lives as long as the test

    async def close(self) -> None:
        return None

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        for message in messages:
            log = self.topics.setdefault(message.topic, [])
            log.append(
                Record(
                    topic=message.topic,
                    partition=0,
                    offset=len(log),
                    key=message.key.encode(),
                    value=bytes(message.value),
                    headers=message.headers,
                )
            )
        self.arrived.notify()


class MemorySubscription:
    def __init__(self, broker: MemoryBroker, topics: Sequence[str], group: str) -> None:
        self._broker = broker
        self._topics = list(topics)
        self._group = group
        self._position: dict[str, int] = {}

    async def start(self) -> None:
        self._position = {t: self._broker.committed.get((self._group, t), 0) for t in self._topics}

    def _pending(self, max_records: int) -> list[Record]:
        records: list[Record] = []
        for topic in self._topics:
            records += self._broker.topics.get(topic, [])[self._position[topic] :]
        return records[:max_records]

    async def fetch(self, *, max_records: int, timeout_ms: int) -> list[Record]:
        ticket = self._broker.arrived.ticket()
        records = self._pending(max_records)
        if not records:
            await ChangeSignal.wait(ticket, timeout_ms / 1000)
            records = self._pending(max_records)
        for record in records:
            self._position[record.topic] = record.offset + 1
        if self._broker.redeliver:
            return [copy for record in records for copy in (record, record)]
        return records

    async def commit(self, records: Sequence[Record]) -> None:
        for record in records:
            key = (self._group, record.topic)
            self._broker.committed[key] = max(self._broker.committed.get(key, 0), record.offset + 1)

    async def lag(self) -> int:
        return len(self._pending(1_000_000))

    async def stop(self) -> None:
        return None

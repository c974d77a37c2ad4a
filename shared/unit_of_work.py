"""Unit of work: events, outbox rows, inbox claims and read models commit in ONE transaction."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Self, TypeVar
from uuid import UUID, uuid4

from shared import context
from shared.aggregate import Aggregate
from shared.clock import Clock
from shared.db import Connection, Database
from shared.envelope import Envelope
from shared.eventstore import EventStore
from shared.inbox import claim
from shared.outbox import add_to_outbox
from shared.upcasting import upcast

A = TypeVar("A", bound=Aggregate)
Projection = Callable[[Connection, Envelope], Awaitable[None]]


class UnitOfWork:
    """One transaction. Rolls back on exit unless `commit()` ran (cosmicpython semantics).

    Aggregates loaded or added are tracked by stream id, so two handlers in one consumer batch
    that touch the same aggregate share one instance and append one consistent run of versions.
    """

    def __init__(
        self,
        *,
        db: Database,
        store: EventStore,
        source: str,
        topics: Mapping[str, str],
        projections: Sequence[Projection],
        clock: Clock,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._store = store
        self._source = source
        self._topics = topics
        self._projections = projections
        self._clock = clock
        self._on_commit = on_commit
        self._seen: dict[str, Aggregate] = {}
        self._transaction: AbstractAsyncContextManager[Connection] | None = None
        self.conn: Connection
        self.committed: list[Envelope] = []

    async def __aenter__(self) -> Self:
        self._transaction = self._db.transaction()
        self.conn = await self._transaction.__aenter__()
        self._seen = {}
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._transaction is not None:
            await self._transaction.__aexit__(_RolledBack, _RolledBack(), None)
            self._transaction = None

    async def get(self, cls: type[A], aggregate_id: str) -> A | None:
        stream_id = cls.stream_id_for(aggregate_id)
        if (seen := self._seen.get(stream_id)) is not None:
            return seen  # type: ignore[return-value]
        envelopes = await self._store.load(self.conn, stream_id)
        if not envelopes:
            return None
        history = [
            cls.event_from(
                e.event_type, upcast(cls.upcasters, e.event_type, e.event_version, e.data)
            )
            for e in envelopes
        ]
        aggregate = cls.rehydrate(aggregate_id, history)
        self._seen[stream_id] = aggregate
        return aggregate

    def now(self) -> datetime:
        """The injected clock's time: handlers pass it into domain methods."""
        return self._clock.now()

    def add(self, aggregate: Aggregate) -> None:
        self._seen[aggregate.stream_id] = aggregate

    async def claim(self, *, consumer: str, message_id: str) -> bool:
        return await claim(self.conn, consumer=consumer, message_id=message_id)

    async def flush(self) -> list[Envelope]:
        """Append pending events of tracked aggregates, queue published ones, update read models."""
        envelopes: list[Envelope] = []
        for aggregate in self._seen.values():
            new = self._envelopes(aggregate)
            if new:
                await self._store.append(
                    self.conn,
                    stream_id=aggregate.stream_id,
                    stream_type=aggregate.stream_type,
                    envelopes=new,
                )
                envelopes += new
        by_topic: dict[str, list[Envelope]] = {}
        for envelope in envelopes:
            # Only published event types have a topic; the others never leave the service.
            if (topic := self._topics.get(envelope.event_type)) is not None:
                by_topic.setdefault(topic, []).append(envelope)
        for topic, outgoing in by_topic.items():
            await add_to_outbox(self.conn, topic=topic, envelopes=outgoing)
        for envelope in envelopes:
            for project in self._projections:
                await project(self.conn, envelope)
        self.committed += envelopes
        return envelopes

    async def commit(self) -> list[Envelope]:
        await self.flush()
        assert self._transaction is not None, "commit() outside `async with`"
        transaction, self._transaction = self._transaction, None
        await transaction.__aexit__(None, None, None)
        if self._on_commit is not None and self.committed:
            self._on_commit()
        return self.committed

    def _envelopes(self, aggregate: Aggregate) -> list[Envelope]:
        events = aggregate.collect_events()
        if not events:
            return []
        first_version = aggregate.version - len(events) + 1
        correlation = context.correlation_id.get() or _as_uuid(aggregate.id)
        causation = context.causation_id.get()
        now = self._clock.now()
        return [
            Envelope(
                event_id=uuid4(),
                event_type=event.event_type(),
                event_version=event.event_version,
                source=self._source,
                aggregate_id=aggregate.id,
                aggregate_version=first_version + offset,
                occurred_at=now,
                correlation_id=correlation,
                causation_id=causation,
                data=event.model_dump(mode="json"),
            )
            for offset, event in enumerate(events)
        ]


class _RolledBack(Exception):
    """Thrown into the transaction to roll it back when the block ends without commit()."""


def _as_uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        return uuid4()

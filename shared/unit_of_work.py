"""Unit of work: events, outbox rows, inbox claims and read models commit in ONE transaction.

Writes are batch-shaped: `flush()` turns new events into envelopes and updates the read models
at once (a later handler in the same batch may read them), while the events themselves and their
outbox rows are written at `commit()`, one statement per table for the whole batch. Nothing in
the batch reads them back before then: an aggregate it loaded or added is tracked here.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Self, TypeVar
from uuid import UUID, uuid4

from shared import context, idempotency
from shared.aggregate import Aggregate
from shared.clock import Clock
from shared.db import Connection, Database, WriteBehind
from shared.envelope import Envelope
from shared.eventstore import EventStore, StreamWrite
from shared.inbox import claim, claim_all
from shared.messages import DomainEvent
from shared.outbox import add_all_to_outbox
from shared.snapshots import AggregateLoader, write_snapshots

A = TypeVar("A", bound=Aggregate)
# A projection gets each recorded event as its typed class, with its envelope and the aggregate
# that recorded it: live, the one the write side has in hand; in a rebuild, the service's
# `projected_aggregates` folded up to the event (else None). Whole-row state writes go through
# `conn.defer`, one statement per table per batch.
Projection = Callable[[WriteBehind, DomainEvent, Envelope, Aggregate | None], Awaitable[None]]
Prefetch = Callable[[WriteBehind, Sequence[Envelope]], Awaitable[None]]


@dataclass(frozen=True)
class Prefetching:
    """A projection that reads a row per event, its reads done for the whole batch first:
    `prefetch` gets every envelope about to be projected and loads their rows in one query
    (`WriteBehind.remember`), where `project` finds them. One round trip per batch."""

    project: Projection
    prefetch: Prefetch

    async def __call__(
        self, conn: WriteBehind, event: DomainEvent, envelope: Envelope, aggregate: Aggregate | None
    ) -> None:
        await self.project(conn, event, envelope, aggregate)


async def prefetch_all(
    conn: WriteBehind, projections: Sequence[Projection], envelopes: Sequence[Envelope]
) -> None:
    for projection in projections:
        if isinstance(projection, Prefetching) and envelopes:
            await projection.prefetch(conn, envelopes)


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
        loader: AggregateLoader | None = None,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._store = store
        self._loader = loader or AggregateLoader(store)
        self._source = source
        self._topics = topics
        self._projections = projections
        self._clock = clock
        self._on_commit = on_commit
        self._seen: dict[str, Aggregate] = {}
        # Envelopes in the order they were flushed: events of several aggregates may share a
        # topic key (one order's shipment and invoice), and the outbox must keep their order.
        self._unwritten: list[StreamWrite] = []
        self._transaction: AbstractAsyncContextManager[Connection] | None = None
        self.conn: WriteBehind
        self.committed: list[Envelope] = []

    async def __aenter__(self) -> Self:
        self._transaction = self._db.transaction()
        self.conn = WriteBehind(await self._transaction.__aenter__())
        self._seen = {}
        self._unwritten = []
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._transaction is not None:
            await self._transaction.__aexit__(_RolledBack, _RolledBack(), None)
            self._transaction = None

    async def get(self, cls: type[A], aggregate_id: str) -> A | None:
        return (await self.get_all(cls, [aggregate_id])).get(aggregate_id)

    async def get_all(self, cls: type[A], aggregate_ids: Sequence[str]) -> dict[str, A]:
        """The existing ones among `aggregate_ids`, by id: one round trip for all those not
        already tracked (see shared/snapshots.py for why that stays cheap on long streams)."""
        found: dict[str, A] = {}
        missing = []
        for aggregate_id in dict.fromkeys(aggregate_ids):
            seen = self._seen.get(cls.stream_id_for(aggregate_id))
            if seen is not None:
                found[aggregate_id] = seen  # type: ignore[assignment]
            else:
                missing.append(aggregate_id)
        if missing:
            for aggregate_id, aggregate in (
                await self._loader.load(self.conn, cls, missing)
            ).items():
                self._seen[aggregate.stream_id] = aggregate
                found[aggregate_id] = aggregate
        return found

    async def get_or_create(self, cls: type[A], aggregate_id: str) -> A:
        """The aggregate, or a new empty one, tracked so that its first events are written."""
        found = await self.get(cls, aggregate_id)
        if found is None:
            found = cls(aggregate_id)
            self.add(found)
        return found

    def now(self) -> datetime:
        """The injected clock's time: handlers pass it into domain methods."""
        return self._clock.now()

    def add(self, aggregate: Aggregate) -> None:
        self._seen[aggregate.stream_id] = aggregate

    async def claim(self, *, consumer: str, message_id: str) -> bool:
        return await claim(self.conn, consumer=consumer, message_id=message_id, at=self.now())

    async def claim_all(self, *, consumer: str, message_ids: Sequence[str]) -> set[str]:
        """Claim a batch's messages with one statement; the ids not handled before."""
        return await claim_all(self.conn, consumer=consumer, message_ids=message_ids, at=self.now())

    async def flush(self) -> list[Envelope]:
        """Give pending events their envelopes (in the current flow) and update read models."""
        envelopes: list[Envelope] = []
        recorded: list[tuple[DomainEvent, Envelope, Aggregate]] = []
        for aggregate in self._seen.values():
            events = aggregate.collect_events()
            if not events:
                continue
            new = self._envelopes(aggregate, events)
            envelopes += new
            self._unwritten.append(StreamWrite(aggregate.stream_id, aggregate.stream_type, new))
            recorded += [
                (event, envelope, aggregate) for event, envelope in zip(events, new, strict=True)
            ]
        await prefetch_all(self.conn, self._projections, envelopes)
        for event, envelope, aggregate in recorded:
            for project in self._projections:
                await project(self.conn, event, envelope, aggregate)
        self.committed += envelopes
        return envelopes

    async def commit(self) -> list[Envelope]:
        await self.flush()
        assert self._transaction is not None, "commit() outside `async with`"
        # An HTTP request's Idempotency-Key commits with the effect it guards, or not at all.
        await idempotency.take_claim(self.conn)
        await self._write()
        transaction, self._transaction = self._transaction, None
        await transaction.__aexit__(None, None, None)
        idempotency.claim_committed()
        self._loader.committed(self._seen.values())
        if self._on_commit is not None and self.committed:
            self._on_commit()
        return self.committed

    async def _write(self) -> None:
        """The batch's events, outbox rows, held-back read-model rows and due snapshots: one
        statement per table. Shared counters go last: their rows stay locked only until the
        commit that follows."""
        writes = self._unwritten
        if writes:
            await self._store.append_streams(self.conn, writes)
            # Only published event types have a topic; the others never leave the service.
            outgoing = [
                (topic, envelope)
                for write in writes
                for envelope in write.envelopes
                if (topic := self._topics.get(envelope.event_type)) is not None
            ]
            await add_all_to_outbox(self.conn, outgoing)
            await write_snapshots(self.conn, self._seen.values())
            self._unwritten = []
        await self.conn.write_all()

    def _envelopes(self, aggregate: Aggregate, events: Sequence[DomainEvent]) -> list[Envelope]:
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

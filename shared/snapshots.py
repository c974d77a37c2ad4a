"""Loading aggregates at a cost that does not grow with the age of their streams.

Two layers, both optimisations only (the event store stays the truth):

- **Snapshots.** The state of an aggregate at a stream version, written in the transaction that
  appends the events it reflects, so a snapshot can never run ahead of its events. Loading a cold
  aggregate = its snapshot + the events after it. A snapshot is taken once the events since the
  last one outweigh its size, so the cost of writing snapshots per event stays constant however
  large the state is. Each snapshot names the domain code that wrote it (a fingerprint of the
  aggregate's package); one written by other code is ignored and the stream is folded from the
  start instead, so a changed `_apply` never meets an old state. The state is pickled: it is read
  only by this service from its own database, which it trusts exactly as it trusts its events.
- **The aggregate cache.** Aggregates of this process as of their last commit. A unit of work
  *takes* an aggregate out of the cache and gives it back only after its commit, so a change that
  is rolled back never leaks into the next unit of work. Every load still reads the events from
  the cached version on, so what another process or replica appended is never missed, and a
  stream archived meanwhile is not brought back from memory.
"""

import hashlib
import pickle
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from shared import aggregate as aggregate_module
from shared import stops
from shared.aggregate import Aggregate
from shared.db import Connection, placeholders
from shared.envelope import Envelope
from shared.eventstore import EventStore

A = TypeVar("A", bound=Aggregate)

# A snapshot is due after max(MIN_EVENTS, size / BYTES_PER_EVENT) events, at most MAX_EVENTS: a
# large state is written rarely enough that its pickling costs each event about as much as a
# small one's, and a cold load never folds more than MAX_EVENTS events after its snapshot.
MIN_EVENTS_BETWEEN_SNAPSHOTS = 50
MAX_EVENTS_BETWEEN_SNAPSHOTS = 2_000
SNAPSHOT_BYTES_PER_EVENT = 200
# Bookkeeping of `Aggregate` that is not state: never pickled, never compared.
_NOT_STATE = frozenset({"_pending", "_snapshot_version", "_snapshot_bytes"})


# Platform modules whose classes an aggregate's fold and state are made of.
_BUILDING_BLOCKS = (aggregate_module, stops)


def fingerprint(cls: type[Aggregate]) -> str:
    """A hash of the code that folds `cls`: its service's (or package's) modules and the
    platform's building blocks of aggregates and their state."""
    return _fingerprint(cls.__module__, cls.__qualname__)


@cache
def _fingerprint(module: str, qualname: str) -> str:
    parts = module.split(".")
    package = __import__(".".join(parts[:2]), fromlist=["_"])
    roots = [Path(p) for p in getattr(package, "__path__", [])] or [
        Path(package.__file__ or "").parent
    ]
    files = sorted(f for root in roots for f in root.rglob("*.py"))
    digest = hashlib.sha256()
    for file in [*(Path(m.__file__ or "") for m in _BUILDING_BLOCKS), *files]:
        digest.update(file.read_bytes())
    return f"{qualname}:{digest.hexdigest()[:16]}"


def state_of(aggregate: Aggregate) -> dict[str, Any]:
    """What a snapshot keeps: everything the fold built, none of the bookkeeping."""
    skipped = _NOT_STATE | aggregate.transient
    return {k: v for k, v in vars(aggregate).items() if k not in skipped}


def restore(cls: type[A], state: bytes, version: int) -> A:
    aggregate = cls.__new__(cls)
    vars(aggregate).update(pickle.loads(state))  # noqa: S301 - our own database, see above
    aggregate._pending = []
    aggregate._snapshot_version = version
    aggregate._snapshot_bytes = len(state)
    return aggregate


def fold(aggregate: A, envelopes: Iterable[Envelope]) -> A:
    for envelope in envelopes:
        aggregate._apply(aggregate.decode(envelope))
        aggregate.version = envelope.aggregate_version
    return aggregate


def snapshot_due(aggregate: Aggregate) -> bool:
    since = aggregate.version - aggregate._snapshot_version
    by_size = aggregate._snapshot_bytes // SNAPSHOT_BYTES_PER_EVENT
    return since >= min(max(MIN_EVENTS_BETWEEN_SNAPSHOTS, by_size), MAX_EVENTS_BETWEEN_SNAPSHOTS)


class AggregateCache:
    """Committed aggregates of this process, least recently used dropped first."""

    def __init__(self, capacity: int = 20_000) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, Aggregate] = OrderedDict()

    def take(self, stream_id: str) -> Aggregate | None:
        return self._entries.pop(stream_id, None)

    def give_back(self, aggregates: Iterable[Aggregate]) -> None:
        for aggregate in aggregates:
            if aggregate.has_pending_events:
                continue  # never committed: the store does not hold this state
            self._entries[aggregate.stream_id] = aggregate
            self._entries.move_to_end(aggregate.stream_id)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)


class AggregateLoader:
    """Loads aggregates by the batch: cache or snapshot, then one query for every tail."""

    def __init__(self, store: EventStore, cache: AggregateCache | None = None) -> None:
        self._store = store
        self._cache = cache or AggregateCache(capacity=0)

    async def load(
        self, conn: Connection, cls: type[A], aggregate_ids: Sequence[str]
    ) -> dict[str, A]:
        """The aggregates that exist among `aggregate_ids`, by id, each at its latest version."""
        by_stream = {cls.stream_id_for(i): i for i in aggregate_ids}
        base: dict[str, A] = {}
        for stream_id in by_stream:
            if (cached := self._cache.take(stream_id)) is not None:
                base[stream_id] = cached  # type: ignore[assignment]
        from_cache = {s for s, aggregate in base.items() if aggregate.version > 0}
        cold = [s for s in by_stream if s not in base]
        if cold:
            base |= await self._snapshots(conn, cls, cold)
        # A cached aggregate's tail starts at its own last event: if that is gone, the stream
        # was archived since (shared/archive.py) and the memory of it must not bring it back.
        tails = await self._store.load_after(
            conn,
            {
                s: base[s].version - 1 if s in from_cache else base[s].version if s in base else 0
                for s in by_stream
            },
        )
        found: dict[str, A] = {}
        for stream_id, aggregate_id in by_stream.items():
            tail = tails.get(stream_id, [])
            if stream_id in from_cache:
                if not tail or tail[0].aggregate_version != base[stream_id].version:
                    continue
                tail = tail[1:]
            elif stream_id not in base and not tail:
                continue
            found[aggregate_id] = fold(base.get(stream_id) or cls(aggregate_id), tail)
        return found

    async def _snapshots(
        self, conn: Connection, cls: type[A], stream_ids: list[str]
    ) -> dict[str, A]:
        rows = await conn.fetch(
            "SELECT stream_id, version, state FROM aggregate_snapshot"
            f" WHERE fingerprint = $1 AND stream_id IN ({placeholders(len(stream_ids), first=2)})",
            fingerprint(cls),
            *stream_ids,
        )
        return {row["stream_id"]: restore(cls, bytes(row["state"]), row["version"]) for row in rows}

    def committed(self, aggregates: Iterable[Aggregate]) -> None:
        self._cache.give_back(aggregates)


async def write_snapshots(conn: Connection, aggregates: Iterable[Aggregate]) -> None:
    """Snapshot the aggregates that are due, in the caller's transaction (with their events)."""
    rows = []
    for aggregate in aggregates:
        if snapshot_due(aggregate):
            state = pickle.dumps(state_of(aggregate), protocol=pickle.HIGHEST_PROTOCOL)
            rows.append(
                (aggregate.stream_id, aggregate.version, fingerprint(type(aggregate)), state)
            )
            aggregate._snapshot_version = aggregate.version
            aggregate._snapshot_bytes = len(state)
    if rows:
        await conn.executemany(
            "INSERT INTO aggregate_snapshot (stream_id, version, fingerprint, state)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (stream_id) DO UPDATE SET"
            " version = excluded.version, fingerprint = excluded.fingerprint,"
            " state = excluded.state WHERE excluded.version > aggregate_snapshot.version",
            rows,
        )


def same_state(left: Aggregate, right: Aggregate) -> bool:
    """Whether two aggregates hold the same state (a snapshot's against a fold from zero)."""
    return left.version == right.version and state_of(left) == state_of(right)

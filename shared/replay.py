"""Replay: rebuild a service's read models from its event store, and rewind a consumer group.

A rebuild runs in one transaction: readers keep seeing the old read model until the new one
commits, and a `check` rebuild rolls back after comparing, changing nothing.
"""

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Table

from shared.aggregate import Aggregate
from shared.archive import archived_streams
from shared.changes import is_mark
from shared.db import Connection, Database, WriteBehind
from shared.errors import DomainError
from shared.eventstore import SqlEventStore, StoredEvent
from shared.messages import DomainEvent
from shared.snapshots import fold
from shared.unit_of_work import Projection, prefetch_all

if TYPE_CHECKING:
    from shared.runtime import ServiceDefinition

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RebuildReport:
    events: int
    hash_before: str
    hash_after: str
    committed: bool

    @property
    def identical(self) -> bool:
        return self.hash_before == self.hash_after


async def read_model_hash(conn: Connection, tables: Sequence[Table]) -> str:
    """SHA-256 over every row of `tables`, in primary-key order; change marks left out (a
    rebuild writes every row anew, shared/changes.py)."""
    digest = hashlib.sha256()
    for table in sorted(tables, key=lambda t: t.name):
        order = ", ".join(column.name for column in table.primary_key.columns)
        columns = ", ".join(c.name for c in table.columns if not is_mark(c))
        rows = await conn.fetch(f"SELECT {columns} FROM {table.name} ORDER BY {order}")
        digest.update(table.name.encode())
        for row in rows:
            digest.update(json.dumps(list(row), default=_plain).encode())
    return digest.hexdigest()


def _plain(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


class ArchivedStreamsError(DomainError):
    """A rebuild would lose the read-model rows of streams moved to an archive."""

    def __init__(self, service: str, streams: int) -> None:
        super().__init__(
            f"{streams} stream(s) of the {service} service are archived (`gapless archive`): a"
            " rebuild folds only the events in the store and would drop their read-model rows."
            " Import the archives first (`gapless archive import FILE`), then rebuild."
        )


async def refuse_if_archived(conn: Connection, service: str) -> None:
    """Raises:
    ArchivedStreamsError: some of the service's streams are in an archive, not the store.
    """
    if archived := await archived_streams(conn):
        raise ArchivedStreamsError(service, archived)


class _Rollback(Exception):
    """Raised inside the rebuild transaction to undo a check-only rebuild."""


async def rebuild_read_models(
    db: Database,
    service: "ServiceDefinition",
    *,
    check_only: bool = False,
    progress: Progress | None = None,
    batch_size: int = 1_000,
) -> RebuildReport:
    """Empty the service's read-model tables and fold every stored event through its
    projections again (with the aggregates they are projected from).

    Raises:
        ArchivedStreamsError: streams of the service are archived (their rows would be lost).
    """
    if service.read_models is None:
        raise ValueError(f"the {service.name} service has no read models to rebuild")
    tables = service.derived_tables()
    report: RebuildReport | None = None
    try:
        async with db.transaction() as conn:
            if conn.dialect == "postgresql":
                # One snapshot for every page: paging by position across fresh READ COMMITTED
                # snapshots could skip an event whose transaction committed late.
                await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            await refuse_if_archived(conn, service.name)
            before = await read_model_hash(conn, tables)
            for table in reversed(tables):
                await conn.execute(f"DELETE FROM {table.name}")
            rows = WriteBehind(conn)
            events = await _fold_all(
                rows, service.projections, _Folds(service), progress, batch_size
            )
            await rows.write_all()
            after = await read_model_hash(conn, tables)
            report = RebuildReport(events, before, after, committed=not check_only)
            if check_only:
                raise _Rollback
    except _Rollback:
        pass
    assert report is not None
    return report


class _Folds:
    """Each stored event read back as its typed class, and the aggregate projections receive
    with it, folded event by event alongside the rebuild (as the write side hands them over
    live); the most recently used few thousand kept in memory."""

    def __init__(self, service: "ServiceDefinition", capacity: int = 20_000) -> None:
        kept = (*service.aggregates, *service.projected_aggregates)
        self._classes = {f"{cls.stream_type}:": cls for cls in kept}
        self._projected = frozenset(service.projected_aggregates)
        self._capacity = capacity
        self._folded: OrderedDict[str, Aggregate] = OrderedDict()

    async def advance(
        self, conn: Connection, stored: StoredEvent
    ) -> tuple[DomainEvent, Aggregate | None]:
        prefix = stored.stream_id.split(":", 1)[0] + ":"
        if (cls := self._classes.get(prefix)) is None:
            raise LookupError(
                f"no aggregate in the service definition keeps {stored.stream_id!r}:"
                " list its class in `aggregates`"
            )
        envelope = stored.envelope
        event = cls.decode(envelope)
        if cls not in self._projected:
            return event, None
        aggregate = self._folded.pop(stored.stream_id, None)
        if aggregate is None or aggregate.version != envelope.aggregate_version - 1:
            # Not in memory (evicted): fold what came before from the store.
            earlier = await SqlEventStore().load(conn, stored.stream_id)
            before = [e for e in earlier if e.aggregate_version < envelope.aggregate_version]
            aggregate = fold(cls(envelope.aggregate_id), before)
        aggregate._apply(event)
        aggregate.version = envelope.aggregate_version
        self._folded[stored.stream_id] = aggregate
        if len(self._folded) > self._capacity:
            self._folded.popitem(last=False)
        return event, aggregate


async def _fold_all(
    conn: WriteBehind,
    projections: Sequence[Projection],
    folds: _Folds,
    progress: Progress | None,
    batch_size: int,
) -> int:
    store = SqlEventStore()
    position = count = 0
    while batch := await store.read_all(conn, after=position, limit=batch_size):
        await prefetch_all(conn, projections, [stored.envelope for stored in batch])
        for stored in batch:
            event, aggregate = await folds.advance(conn, stored)
            for project in projections:
                await project(conn, event, stored.envelope, aggregate)
        # Rows out (hot ones too, as live at each commit) and reads forgotten per batch: a
        # rebuild's memory stays one batch deep.
        await conn.write_all()
        conn.forget()
        position = batch[-1].position
        count += len(batch)
        if progress is not None:
            progress(len(batch))
    return count

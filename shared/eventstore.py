"""Event store: append-only streams with optimistic concurrency, on PostgreSQL and SQLite alike."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from shared import fastjson
from shared.db import Connection, Row, UniqueViolationError
from shared.envelope import Envelope, parse_time
from shared.errors import ConcurrencyError

_INSERT = (
    "INSERT INTO stored_event (stream_id, stream_type, version, event_id, event_type,"
    " event_version, data, metadata, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
)
_COLUMNS = (
    "position, stream_id, version, event_id, event_type, event_version, data, metadata, occurred_at"
)


# Streams per `load_after` query: enough for a consumer batch, few enough for a quick plan.
_STREAMS_PER_QUERY = 100


class StreamWrite(NamedTuple):
    stream_id: str
    stream_type: str
    envelopes: Sequence[Envelope]


class StoredEvent(NamedTuple):
    position: int
    stream_id: str
    envelope: Envelope


class EventStore(Protocol):
    async def append(
        self, conn: Connection, *, stream_id: str, stream_type: str, envelopes: Sequence[Envelope]
    ) -> None: ...

    async def append_streams(self, conn: Connection, writes: Sequence["StreamWrite"]) -> None: ...

    async def load(self, conn: Connection, stream_id: str) -> list[Envelope]: ...

    async def load_after(
        self, conn: Connection, versions: Mapping[str, int]
    ) -> dict[str, list[Envelope]]: ...

    async def read_all(
        self, conn: Connection, *, after: int = 0, since: datetime | None = None, limit: int = 500
    ) -> list[StoredEvent]: ...


class SqlEventStore:
    """The `stored_event` table; `UNIQUE (stream_id, version)` is the concurrency check."""

    async def append(
        self, conn: Connection, *, stream_id: str, stream_type: str, envelopes: Sequence[Envelope]
    ) -> None:
        """Append envelopes whose `aggregate_version`s continue the stream.

        Raises:
            ConcurrencyError: another transaction already wrote one of these versions.
        """
        await self.append_streams(conn, [StreamWrite(stream_id, stream_type, envelopes)])

    async def append_streams(self, conn: Connection, writes: Sequence["StreamWrite"]) -> None:
        """Append to several streams with one statement (a unit of work's whole batch).

        Raises:
            ConcurrencyError: another transaction already wrote one of these versions.
        """
        rows = [
            (
                write.stream_id,
                write.stream_type,
                envelope.aggregate_version,
                str(envelope.event_id),
                envelope.event_type,
                envelope.event_version,
                fastjson.dumps(envelope.data),
                fastjson.dumps(_metadata(envelope)),
                envelope.occurred_at,
            )
            for write in writes
            for envelope in write.envelopes
        ]
        try:
            await conn.executemany(_INSERT, rows)
        except UniqueViolationError:
            first = writes[0]
            raise ConcurrencyError(
                first.stream_id if len(writes) == 1 else f"one of {len(writes)} streams",
                first.envelopes[0].aggregate_version - 1,
            ) from None

    async def load(self, conn: Connection, stream_id: str) -> list[Envelope]:
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM stored_event WHERE stream_id = $1 ORDER BY version", stream_id
        )
        return [_envelope(row) for row in rows]

    async def load_after(
        self, conn: Connection, versions: Mapping[str, int]
    ) -> dict[str, list[Envelope]]:
        """The events of each stream after the version given for it, in one query per chunk."""
        found: dict[str, list[Envelope]] = {}
        pairs = list(versions.items())
        for start in range(0, len(pairs), _STREAMS_PER_QUERY):
            chunk = pairs[start : start + _STREAMS_PER_QUERY]
            clauses = " OR ".join(
                f"(stream_id = ${2 * i + 1} AND version > ${2 * i + 2})" for i in range(len(chunk))
            )
            rows = await conn.fetch(
                f"SELECT {_COLUMNS} FROM stored_event WHERE {clauses} ORDER BY stream_id, version",
                *(value for pair in chunk for value in pair),
            )
            for row in rows:
                found.setdefault(row["stream_id"], []).append(_envelope(row))
        return found

    async def read_all(
        self, conn: Connection, *, after: int = 0, since: datetime | None = None, limit: int = 500
    ) -> list[StoredEvent]:
        """Events in position order, for replays and read-model rebuilds.

        Not for tailing a live store: a position is taken at insert, so on PostgreSQL a lower one
        can still commit after a higher one was read. Live hand-offs go through the outbox.
        """
        if since is None:
            rows = await conn.fetch(
                f"SELECT {_COLUMNS} FROM stored_event WHERE position > $1"
                " ORDER BY position LIMIT $2",
                after,
                limit,
            )
        else:
            rows = await conn.fetch(
                f"SELECT {_COLUMNS} FROM stored_event WHERE position > $1 AND occurred_at >= $2"
                " ORDER BY position LIMIT $3",
                after,
                since,
                limit,
            )
        return [StoredEvent(row["position"], row["stream_id"], _envelope(row)) for row in rows]


def _metadata(envelope: Envelope) -> dict[str, str | None]:
    return {
        "source": envelope.source,
        "aggregate_id": envelope.aggregate_id,
        "correlation_id": str(envelope.correlation_id),
        "causation_id": str(envelope.causation_id) if envelope.causation_id else None,
    }


def _envelope(row: Row) -> Envelope:
    metadata = fastjson.loads(row["metadata"])
    return Envelope(
        event_id=row["event_id"],
        event_type=row["event_type"],
        event_version=row["event_version"],
        source=metadata["source"],
        aggregate_id=metadata["aggregate_id"],
        aggregate_version=row["version"],
        occurred_at=parse_time(row["occurred_at"]),
        correlation_id=metadata["correlation_id"],
        causation_id=metadata["causation_id"],
        data=fastjson.loads(row["data"]),
    )

"""Durable local log for embedded mode: an append-only SQLite table with per-group positions.

Kafka semantics in one file: publishing appends in one transaction; each consumer group keeps a
committed position per topic and reads past it. A process killed at any point loses nothing:
uncommitted positions are read again and the consumers' inboxes absorb the repeat. SQLite runs one
writer at a time, so positions become visible in order and a reader can never skip a row whose
transaction committed late (the gap trap that a PostgreSQL sequence would have).

The log does not grow for ever: `prune` deletes records older than the retention period that
every consumer group has committed past (a group is known to the log from its first start). A
group's position keeps meaning "read after this": it may name a deleted record, and reading
resumes at the next one held. Positions are never handed out twice (see `_prune_batch`).
"""

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from itertools import takewhile

from sqlalchemy import Column, Index, Integer, LargeBinary, MetaData, String, Table, Text

from shared.bus import OutgoingMessage, Publisher, Record, Subscription
from shared.clock import Clock, SystemClock
from shared.db import Row, SqliteDatabase, create_tables
from shared.envelope import parse_time
from shared.retention import in_batches
from shared.signal import ChangeSignal

metadata = MetaData()
log_record = Table(
    "log_record",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("headers", Text, nullable=False),
    Column("appended_at", String(40), nullable=False),
)
Index("ix_log_record_topic_position", log_record.c.topic, log_record.c.position)
group_position = Table(
    "group_position",
    metadata,
    Column("group_name", String(100), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("position", Integer, nullable=False),
)

# Another process may append to the same file (tools, tests); it is noticed by polling this often.
_POLL_SECONDS = 0.025


class LocalLogBroker:
    def __init__(self, path: str, *, clock: Clock | None = None) -> None:
        self._path = path
        self._clock = clock or SystemClock()
        self._db: SqliteDatabase | None = None
        self.appended = ChangeSignal()

    @property
    def db(self) -> SqliteDatabase:
        assert self._db is not None, "LocalLogBroker.start() was not awaited"
        return self._db

    async def start(self) -> None:
        if self._db is None:
            self._db = SqliteDatabase.connect(self._path)
            await create_tables(self._db, metadata)

    async def ensure_topics(self, topics: Sequence[str]) -> None:  # noqa: ARG002
        return None  # a topic exists once something is appended to it

    def publisher(self) -> Publisher:
        return self

    def subscription(self, topics: Sequence[str], *, group: str) -> Subscription:
        return LocalLogSubscription(self, topics, group)

    async def rewind(self, *, group: str, topic: str, since: datetime | None) -> None:
        await self.start()
        async with self.db.transaction() as conn:
            # The new position is the last record appended before `since`: reading resumes after it.
            position = 0
            if since is not None:
                position = await conn.fetchval(
                    "SELECT coalesce(max(position), 0) FROM log_record"
                    " WHERE topic = $1 AND appended_at < $2",
                    topic,
                    since.astimezone(UTC).isoformat(),
                )
            await conn.execute(
                "INSERT INTO group_position (group_name, topic, position) VALUES ($1, $2, $3)"
                " ON CONFLICT (group_name, topic) DO UPDATE SET position = excluded.position",
                group,
                topic,
                position,
            )

    async def read(
        self,
        topic: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        after_offset: int | None = None,
        to_offset: int | None = None,
        limit: int = 100_000,
    ) -> list[Record]:
        """Records of `topic` in a range of append times and/or offsets (replay), oldest first."""
        await self.start()
        clauses: list[str] = ["topic = $1"]
        args: list[object] = [topic]
        for clause, value in (
            ("appended_at >= ${}", since.astimezone(UTC).isoformat() if since else None),
            ("appended_at < ${}", until.astimezone(UTC).isoformat() if until else None),
            ("position > ${}", after_offset),
            ("position <= ${}", to_offset),
        ):
            if value is not None:
                args.append(value)
                clauses.append(clause.format(len(args)))
        async with self.db.transaction() as conn:
            rows = await conn.fetch(
                "SELECT position, topic, key, value, headers FROM log_record"
                f" WHERE {' AND '.join(clauses)} ORDER BY position LIMIT {int(limit)}",
                *args,
            )
        return [_record(row) for row in rows]

    async def prune(self, topics: Sequence[str], *, before: datetime, batch_size: int) -> int:
        """Delete records of `topics` appended before `before` that every group has committed
        past, a batch per transaction; the number deleted."""
        await self.start()
        deleted = 0
        for topic in topics:
            batch = partial(self._prune_batch, topic, before, batch_size)
            deleted += await in_batches(batch, batch_size)
        return deleted

    async def _prune_batch(self, topic: str, before: datetime, batch_size: int) -> int:
        async with self.db.transaction() as conn:
            newest = await conn.fetchval("SELECT max(position) FROM log_record")
            if newest is None:
                return 0
            # Only below every group's position (none: no group ever read the topic). And never
            # the newest record of the log: SQLite numbers a new row after the highest one left,
            # so an emptied log would hand out positions again that groups are already past.
            floor = await conn.fetchval(
                "SELECT min(position) FROM group_position WHERE topic = $1", topic
            )
            bound = newest - 1 if floor is None else min(floor, newest - 1)
            head = await conn.fetch(
                "SELECT position, appended_at FROM log_record WHERE topic = $1 AND position <= $2"
                " ORDER BY position LIMIT $3",
                topic,
                bound,
                batch_size,
            )
            old = list(takewhile(lambda row: parse_time(row["appended_at"]) < before, head))
            if not old:
                return 0
            await conn.execute(
                "DELETE FROM log_record WHERE topic = $1 AND position BETWEEN $2 AND $3",
                topic,
                old[0]["position"],
                old[-1]["position"],
            )
        return len(old)

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        appended_at = self._clock.now().astimezone(UTC).isoformat()
        async with self.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO log_record (topic, key, value, headers, appended_at)"
                " VALUES ($1, $2, $3, $4, $5)",
                [
                    (
                        m.topic,
                        m.key,
                        m.value,
                        json.dumps([[k, v.decode()] for k, v in m.headers]),
                        appended_at,
                    )
                    for m in messages
                ],
            )
        self.appended.notify()


class LocalLogSubscription:
    def __init__(self, broker: LocalLogBroker, topics: Sequence[str], group: str) -> None:
        self._broker = broker
        self._topics = list(topics)
        self._group = group
        self._position: dict[str, int] = {}

    async def start(self) -> None:
        await self._broker.start()
        async with self._broker.db.transaction() as conn:
            # From its first start the group holds back pruning of what it has not read yet.
            await conn.executemany(
                "INSERT INTO group_position (group_name, topic, position) VALUES ($1, $2, 0)"
                " ON CONFLICT (group_name, topic) DO NOTHING",
                [(self._group, topic) for topic in self._topics],
            )
            rows = await conn.fetch(
                "SELECT topic, position FROM group_position WHERE group_name = $1", self._group
            )
        committed = {row["topic"]: row["position"] for row in rows}
        self._position = {topic: committed.get(topic, 0) for topic in self._topics}

    async def _read(self, max_records: int) -> list[Record]:
        clauses = " OR ".join(
            f"(topic = ${2 * i + 1} AND position > ${2 * i + 2})" for i in range(len(self._topics))
        )
        args: list[object] = []
        for topic in self._topics:
            args += [topic, self._position[topic]]
        async with self._broker.db.snapshot() as conn:
            rows = await conn.fetch(
                "SELECT position, topic, key, value, headers FROM log_record"
                f" WHERE {clauses} ORDER BY position LIMIT {int(max_records)}",
                *args,
            )
        return [_record(row) for row in rows]

    async def fetch(self, *, max_records: int, timeout_ms: int) -> list[Record]:
        deadline = asyncio.get_running_loop().time() + timeout_ms / 1000
        while True:
            ticket = self._broker.appended.ticket()
            records = await self._read(max_records)
            remaining = deadline - asyncio.get_running_loop().time()
            if records or remaining <= 0:
                break
            await ChangeSignal.wait(ticket, min(_POLL_SECONDS, remaining))
        for record in records:
            self._position[record.topic] = record.offset
        return records

    async def commit(self, records: Sequence[Record]) -> None:
        newest: dict[str, int] = {}
        for record in records:
            newest[record.topic] = max(newest.get(record.topic, 0), record.offset)
        async with self._broker.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO group_position (group_name, topic, position) VALUES ($1, $2, $3)"
                " ON CONFLICT (group_name, topic) DO UPDATE SET position = excluded.position"
                " WHERE excluded.position > group_position.position",
                [(self._group, topic, position) for topic, position in newest.items()],
            )

    async def lag(self) -> int:
        """Records past the group's committed position: fetched but unfinished work counts."""
        total = 0
        async with self._broker.db.snapshot() as conn:
            rows = await conn.fetch(
                "SELECT topic, position FROM group_position WHERE group_name = $1", self._group
            )
            committed = {row["topic"]: row["position"] for row in rows}
            for topic in self._topics:
                total += await conn.fetchval(
                    "SELECT count(*) FROM log_record WHERE topic = $1 AND position > $2",
                    topic,
                    committed.get(topic, 0),
                )
        return total

    async def stop(self) -> None:
        return None


def _record(row: Row) -> Record:
    """A log_record row as the Record a consumer reads."""
    return Record(
        topic=row["topic"],
        partition=0,
        offset=row["position"],
        key=row["key"].encode(),
        value=bytes(row["value"]),
        headers=tuple((k, v.encode()) for k, v in json.loads(row["headers"])),
    )

"""Thin async database layer: asyncpg on PostgreSQL, sqlite3 on SQLite, one SQL dialect for both.

Why not SQLAlchemy sessions on the hot path: on these machines a 4-statement transaction ran ~4.2k/s
through raw asyncpg and ~1.4k/s through SQLAlchemy Core. SQLAlchemy defines the schema (services'
tables are created and changed by the migrations in `migrations/`); event append, outbox, inbox
and consumer batches run here instead.
SQL is written once with `$1` placeholders; SQLite receives them as numbered `?1` parameters.
"""

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Hashable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol, Self

import asyncpg
from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine.interfaces import Dialect as SqlDialect
from sqlalchemy.schema import CreateIndex, CreateTable

Dialect = Literal["postgresql", "sqlite"]
Row = Mapping[str, Any]


class UniqueViolationError(Exception):
    """An insert hit a unique constraint (the optimistic-concurrency and inbox guard)."""


class Connection(Protocol):
    """One open transaction. Every statement in it commits or rolls back together."""

    dialect: Dialect

    async def execute(self, sql: str, *args: Any) -> None: ...
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...
    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...
    async def fetchrow(self, sql: str, *args: Any) -> Row | None: ...
    async def fetchval(self, sql: str, *args: Any) -> Any: ...


class WriteBehind:
    """A transaction's connection that holds back projections' row writes until needed.

    `defer(row, sql, *args)` is for a statement that sets the complete state of one row (an
    upsert of every column, or its delete), a row nothing else in the transaction writes;
    `row` names it (table and key). A later call for the same row replaces the earlier one:
    the last state wins. What is held back runs as one `executemany` per statement before the
    next read through this connection and at `write_all()` (commit), so an order's six status
    changes in one batch cost one row, in one round trip with the other orders' rows.

    `add` (counters) and `defer_to_commit` (a row's last state) are for hot rows that many
    transactions share (KPI sums, a customer's exposure): they are written only at commit, after
    everything else, every statement and row in one fixed order. So a hot row is locked for the
    commit alone, and two transactions writing the same rows wait for each other at most once,
    never in a cycle (no deadlock). A transaction never reads back the hot rows it writes.
    """

    def __init__(self, conn: Connection) -> None:
        self.raw = conn
        self.dialect = conn.dialect
        self._held: dict[Hashable, tuple[str, Sequence[Any]]] = {}
        self._at_commit: dict[Hashable, tuple[str, Sequence[Any]]] = {}
        self._remembered: dict[Hashable, Any] = {}

    def remember(self, row: Hashable, state: Any) -> None:
        """Keep what a projection read or made of `row` for the rest of the transaction (a
        batch's rows loaded in one query, or the state it just deferred), never to be changed."""
        self._remembered[row] = state

    def forget(self) -> None:
        """Drop what was remembered (a long rebuild, between its batches)."""
        self._remembered = {}

    def recall(self, row: Hashable) -> tuple[bool, Any]:
        """(True, state) when `row` was remembered (state None: known not to exist)."""
        return (row in self._remembered, self._remembered.get(row))

    def defer(self, row: Hashable, sql: str, *args: Any) -> None:
        self._held.pop(row, None)  # re-queued at the end: statements keep their last order
        self._held[row] = (sql, args)

    def defer_to_commit(self, row: Hashable, sql: str, *args: Any) -> None:
        """Like `defer`, for a hot row: written at commit with the counters."""
        self._at_commit[row] = (sql, args)

    def add(self, row: Hashable, sql: str, key: Sequence[Any], amounts: Sequence[float]) -> None:
        """Held back until commit, for a counter row: `sql` takes the `key` parameters, then
        the `amounts`, and adds them to the row (an upsert that increments). Calls for the same
        row add up, so a batch writes each counter once however many events it counts."""
        held = self._at_commit.get(row)
        if held is not None:
            if held[0] != sql:
                raise ValueError(f"row {row!r} is held back for another statement")
            sums = [a + b for a, b in zip(held[1][len(key) :], amounts, strict=True)]
            amounts = sums
        self._at_commit[row] = (sql, (*key, *amounts))

    def held(self, row: Hashable) -> Sequence[Any] | None:
        """The parameters `row` is held back with (its state to be written), or None; for
        `defer` and `defer_to_commit` rows alike."""
        held = self._held.get(row) or self._at_commit.get(row)
        return None if held is None else held[1]

    async def write_held(self) -> None:
        """Write the deferred rows (before a read; the hot rows wait for `write_all`)."""
        held, self._held = self._held, {}
        await self._write(held.values())

    async def write_all(self) -> None:
        """Everything held back, the hot rows last and sorted (at commit)."""
        await self.write_held()
        hot, self._at_commit = self._at_commit, {}
        ordered = sorted(hot.items(), key=lambda item: (item[1][0], repr(item[0])))
        await self._write(statement for _, statement in ordered)

    async def _write(self, statements: Iterable[tuple[str, Sequence[Any]]]) -> None:
        by_statement: dict[str, list[Sequence[Any]]] = {}
        for sql, args in statements:
            by_statement.setdefault(sql, []).append(args)
        for sql, rows in by_statement.items():
            await self.raw.executemany(sql, rows)

    async def execute(self, sql: str, *args: Any) -> None:
        await self.raw.execute(sql, *args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.raw.executemany(sql, rows)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        await self.write_held()
        return await self.raw.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        await self.write_held()
        return await self.raw.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        await self.write_held()
        return await self.raw.fetchval(sql, *args)


class Database(Protocol):
    dialect: Dialect

    def transaction(self) -> AbstractAsyncContextManager[Connection]: ...
    async def close(self) -> None: ...


async def connect(
    url: str, *, schema: str, pool_size: int = 10
) -> "PostgresDatabase | SqliteDatabase":
    """Open the database named by `url` (postgresql://... or sqlite:///path)."""
    if url.startswith(("postgresql", "postgres")):
        return await PostgresDatabase.connect(url, schema=schema, pool_size=pool_size)
    if url.startswith("sqlite"):
        return SqliteDatabase.connect(url.split(":///", 1)[1] if ":///" in url else ":memory:")
    raise ValueError(f"unsupported database url {url!r}: use postgresql://... or sqlite:///path")


class _PgConnection:
    dialect: Dialect = "postgresql"

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, *args: Any) -> None:
        try:
            await self._conn.execute(sql, *args)
        except asyncpg.UniqueViolationError as error:
            raise UniqueViolationError(str(error)) from error

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            await self._conn.executemany(sql, rows)
        except asyncpg.UniqueViolationError as error:
            raise UniqueViolationError(str(error)) from error

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        try:
            return await self._conn.fetch(sql, *args)  # type: ignore[no-any-return]
        except asyncpg.UniqueViolationError as error:
            raise UniqueViolationError(str(error)) from error

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._conn.fetchval(sql, *args)


async def _keep_session(_: asyncpg.Connection) -> None:
    """Skip asyncpg's per-release session reset (one round trip per transaction).

    Safe because we keep no session state: locks are transaction-scoped, no LISTEN, no cursors
    outside a transaction, no SET. asyncpg still rolls back an open transaction on release.
    """


_SCHEMA_EXISTS = "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)"


class PostgresDatabase:
    dialect: Dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self._pool = pool
        self.schema = schema

    @classmethod
    async def connect(cls, url: str, *, schema: str, pool_size: int = 10) -> Self:
        dsn = re.sub(r"^postgres(ql)?\+\w+://", "postgresql://", url)
        setup = await asyncpg.connect(dsn)
        try:
            # Two replicas may start together; the advisory lock keeps CREATE SCHEMA race-free.
            async with setup.transaction():
                await setup.execute("SELECT pg_advisory_xact_lock(hashtext($1))", schema)
                # Only when missing: a least-privilege role owns its schema but may not create
                # one, and PostgreSQL checks that right even for IF NOT EXISTS.
                if not await setup.fetchval(_SCHEMA_EXISTS, schema):
                    await setup.execute(f'CREATE SCHEMA "{schema}"')
        finally:
            await setup.close()
        pool = await asyncpg.create_pool(
            dsn,
            min_size=1,
            max_size=pool_size,
            server_settings={"search_path": schema},
            reset=_keep_session,
        )
        return cls(pool, schema)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._pool.acquire() as conn:
            try:
                async with conn.transaction():
                    yield _PgConnection(conn)
            except asyncpg.InternalClientError:
                # A connection the server dropped mid-operation (a restart) can be left in a state
                # asyncpg cannot leave ("another operation is in progress"): close it so the pool
                # opens a new one; the caller sees the database unavailable for now.
                conn.terminate()
                raise

    async def close(self) -> None:
        await self._pool.close()


@lru_cache(maxsize=512)
def _sqlite_sql(sql: str) -> str:
    return re.sub(r"\$(\d+)", r"?\1", sql)


def _sqlite_arg(value: Any) -> Any:
    # One offset and one precision for every stored timestamp, so text order is time order.
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat(timespec="microseconds")
    return value


class _SqliteConnection:
    dialect: Dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _run(self, sql: str, args: Sequence[Any]) -> sqlite3.Cursor:
        try:
            return self._conn.execute(_sqlite_sql(sql), [_sqlite_arg(a) for a in args])
        except sqlite3.IntegrityError as error:
            if "UNIQUE" in str(error):
                raise UniqueViolationError(str(error)) from error
            raise

    async def execute(self, sql: str, *args: Any) -> None:
        self._run(sql, args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self._run(sql, row)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return self._run(sql, args).fetchall()

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        row: Row | None = self._run(sql, args).fetchone()
        return row

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = self._run(sql, args).fetchone()
        return row[0] if row else None


class SqliteDatabase:
    """One SQLite file, one connection, transactions serialised by an asyncio lock.

    Statements run on the event loop thread: in WAL mode they take microseconds, less than a hop
    to a worker thread would. synchronous=FULL syncs the WAL at every commit, so a committed
    transaction (an order answered 202) survives power loss, not just a killed process; its cost
    per commit is in `make bench` (bench.hot_path), and group commit pays it once per batch.
    """

    dialect: Dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    def connect(cls, path: str, *, synchronous: Literal["FULL", "NORMAL"] = "FULL") -> Self:
        """`synchronous`: NORMAL only to measure what durability costs (bench.hot_path)."""
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        # No waiting on the event loop: a busy file is waited for in a thread (see _begin).
        conn.execute("PRAGMA busy_timeout=0")
        return cls(conn, path)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._lock:
            await self._begin()
            try:
                yield _SqliteConnection(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Connection]:
        """A read-only transaction: a plain (deferred) BEGIN takes no write lock, and in WAL mode
        a reader neither waits for a writer nor holds one up. For what polls a file other
        processes write (the local log): a poll that took the write lock would queue behind every
        writer, and every writer behind it."""
        async with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield _SqliteConnection(self._conn)
            finally:
                self._conn.execute("COMMIT")  # ends the read: nothing was written

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE: the write lock up front, so two processes on one file never deadlock
        upgrading read locks to write locks.

        Another process (embedded workers share the local log) may hold the lock for a moment.
        Waiting for it on the event loop would stall every request of this process, so only
        the first, usually successful try runs here; the wait runs in a thread.
        """
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
            await asyncio.to_thread(self._begin_waiting)

    def _begin_waiting(self) -> None:
        self._conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        finally:
            self._conn.execute("PRAGMA busy_timeout=0")

    async def close(self) -> None:
        self._conn.close()


_BUSY_TIMEOUT_MS = 10_000


def is_busy(error: sqlite3.OperationalError) -> bool:
    """Another connection holds the file's lock ("database is locked/busy"): wait and retry."""
    return any(word in str(error) for word in ("locked", "busy"))


async def lock_names(conn: Connection, names: Iterable[str], *, shared: bool = False) -> None:
    """Hold these names locked until the transaction ends: exclusive, or shared with the other
    shared holders. For a check and a write that must not interleave with another transaction's
    (write skew under READ COMMITTED). Taken in one order (by hash), so two takers never wait on
    each other in a cycle. On SQLite every transaction already excludes every other writer."""
    if conn.dialect != "postgresql":
        return
    take = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    await conn.fetch(
        f"SELECT {take}(h) FROM (SELECT DISTINCT hashtextextended(n, 0) AS h"
        " FROM unnest($1::text[]) AS n ORDER BY h) AS ordered",
        sorted(set(names)),
    )


def placeholders(count: int, *, first: int = 1) -> str:
    """`$first, ..., $(first + count - 1)`: the parameters of an `IN (...)` list."""
    return ", ".join(f"${first + i}" for i in range(count))


def row_placeholders(rows: int, width: int, *, first: int = 1) -> str:
    """`($1, $2), ($3, $4), ...`: `rows` rows of `width` parameters, as in `IN (VALUES ...)`."""
    return ", ".join(f"({placeholders(width, first=first + row * width)})" for row in range(rows))


def _ddl(metadata: MetaData, dialect: Dialect) -> list[str]:
    compiled_for: SqlDialect = (
        postgresql.dialect() if dialect == "postgresql" else sqlite_dialect.dialect()  # type: ignore[no-untyped-call]
    )
    statements = []
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table, if_not_exists=True).compile(dialect=compiled_for)))
        statements.extend(
            str(CreateIndex(index, if_not_exists=True).compile(dialect=compiled_for))
            for index in table.indexes
        )
    return statements


async def create_tables(db: Database, metadata: MetaData) -> None:
    """Create the tables of `metadata` if missing; safe when several processes start at once.

    Only for tables outside any service's schema history: the embedded local log's, tests'
    throwaway schemas. A service's tables come from its migrations (`migrations/`).
    """
    async with db.transaction() as conn:
        if db.dialect == "postgresql":
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('gapless-ddl'))")
        for statement in _ddl(metadata, db.dialect):
            await conn.execute(statement)

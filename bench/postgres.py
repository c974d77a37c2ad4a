"""PostgreSQL variants: OURS through UnitOfWork, RAW through asyncpg with prepared statements."""

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
from asyncpg.prepared_stmt import PreparedStatement

from bench.model import (
    APPEND_SQL,
    CLAIM_SQL,
    CONSUMER,
    OUTBOX_SQL,
    RawStream,
)
from bench.ours import Ours
from bench.runner import Transaction
from shared import tables
from shared.db import PostgresDatabase, create_tables

COUNTED_TABLES = ("processed_message", "stored_event", "outbox_message")


def plain_dsn(url: str) -> str:
    return re.sub(r"^postgres(ql)?\+\w+://", "postgresql://", url)


async def open_ours(dsn: str, *, schema: str, concurrency: int) -> Ours:
    await fresh_schema(dsn, schema)
    return Ours(await PostgresDatabase.connect(dsn, schema=schema, pool_size=concurrency))


async def fresh_schema(dsn: str, schema: str) -> None:
    """Create `schema` with the platform tables through the platform's own DDL."""
    db = await PostgresDatabase.connect(dsn, schema=schema, pool_size=1)
    try:
        await create_tables(db, tables.metadata)
    finally:
        await db.close()


async def drop_schemas(dsn: str, *schemas: str) -> None:
    conn = await asyncpg.connect(plain_dsn(dsn))
    try:
        for schema in schemas:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


async def row_counts(dsn: str, schema: str) -> dict[str, int]:
    conn = await asyncpg.connect(plain_dsn(dsn))
    try:
        return {
            table: await conn.fetchval(f'SELECT count(*) FROM "{schema}".{table}')
            for table in COUNTED_TABLES
        }
    finally:
        await conn.close()


async def server_facts(dsn: str) -> dict[str, str]:
    conn = await asyncpg.connect(plain_dsn(dsn))
    try:
        names = ("server_version", "fsync", "synchronous_commit", "shared_buffers")
        return {name: await conn.fetchval(f"SHOW {name}") for name in names}
    finally:
        await conn.close()


@dataclass
class PgRaw:
    """The same three statements, straight on a pooled asyncpg connection.

    Prepared statements: asyncpg prepares each statement once per connection (a named server-side
    statement in its statement cache) and afterwards only binds and executes it. Explicit
    `conn.prepare()` objects cannot be kept: asyncpg invalidates them when the connection goes
    back to the pool, and preparing again per transaction would add three round trips.
    """

    pool: asyncpg.Pool
    name: str = "raw"

    @classmethod
    async def open(cls, dsn: str, *, schema: str, concurrency: int) -> "PgRaw":
        await fresh_schema(dsn, schema)
        pool = await asyncpg.create_pool(
            plain_dsn(dsn),
            min_size=1,
            max_size=concurrency,
            server_settings={"search_path": schema},
        )
        return cls(pool)

    def new_worker(self) -> Transaction:
        stream = RawStream()

        async def transaction(i: int) -> None:
            message_id, claimed_at = str(uuid4()), datetime.now(UTC)
            async with self.pool.acquire() as conn, conn.transaction():
                if await conn.fetchval(CLAIM_SQL, CONSUMER, message_id, claimed_at) is not None:
                    events, messages = stream.rows(i, message_id)
                    await conn.executemany(APPEND_SQL, events)
                    await conn.executemany(OUTBOX_SQL, messages)

        return transaction

    async def close(self) -> None:
        await self.pool.close()


@dataclass(frozen=True)
class _Prepared:
    conn: asyncpg.Connection
    claim: PreparedStatement
    append: PreparedStatement
    outbox: PreparedStatement

    @classmethod
    async def connect(cls, dsn: str, schema: str) -> "_Prepared":
        conn = await asyncpg.connect(plain_dsn(dsn), server_settings={"search_path": schema})
        return cls(
            conn,
            await conn.prepare(CLAIM_SQL),
            await conn.prepare(APPEND_SQL),
            await conn.prepare(OUTBOX_SQL),
        )


@dataclass
class PgRawPrepared:
    """A stricter floor: N dedicated connections in a queue, each with explicit PreparedStatements.

    No asyncpg.Pool, hence no reset query when a connection is handed back (asyncpg.Pool runs
    `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` on every release).
    """

    connections: list[_Prepared]
    name: str = "raw_prepared"

    def __post_init__(self) -> None:
        self._idle: asyncio.Queue[_Prepared] = asyncio.Queue()
        for prepared in self.connections:
            self._idle.put_nowait(prepared)

    @classmethod
    async def open(cls, dsn: str, *, schema: str, concurrency: int) -> "PgRawPrepared":
        await fresh_schema(dsn, schema)
        return cls([await _Prepared.connect(dsn, schema) for _ in range(concurrency)])

    def new_worker(self) -> Transaction:
        stream = RawStream()

        async def transaction(i: int) -> None:
            message_id = str(uuid4())
            prepared = await self._idle.get()
            try:
                async with prepared.conn.transaction():
                    claimed_at = datetime.now(UTC)
                    if await prepared.claim.fetchval(CONSUMER, message_id, claimed_at) is not None:
                        events, messages = stream.rows(i, message_id)
                        await prepared.append.executemany(events)
                        await prepared.outbox.executemany(messages)
            finally:
                self._idle.put_nowait(prepared)

        return transaction

    async def close(self) -> None:
        for prepared in self.connections:
            await prepared.conn.close()

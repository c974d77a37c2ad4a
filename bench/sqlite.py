"""SQLite (embedded mode) variants: OURS through UnitOfWork, RAW through the sqlite3 module."""

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from uuid import uuid4

from bench.model import (
    APPEND_SQL,
    CLAIM_SQL,
    CONSUMER,
    OUTBOX_SQL,
    RawStream,
)
from bench.ours import Ours
from bench.postgres import COUNTED_TABLES
from bench.runner import Transaction
from shared import tables
from shared.db import SqliteDatabase, create_tables


def sqlite_version() -> str:
    return sqlite3.sqlite_version


def _qmarks(sql: str) -> str:
    return re.sub(r"\$\d+", "?", sql)


_CLAIM, _APPEND, _OUTBOX = (_qmarks(sql) for sql in (CLAIM_SQL, APPEND_SQL, OUTBOX_SQL))


async def open_ours(path: Path, *, synchronous: Literal["FULL", "NORMAL"] = "FULL") -> Ours:
    await fresh_file(path)
    return Ours(SqliteDatabase.connect(str(path), synchronous=synchronous))


async def fresh_file(path: Path) -> None:
    db = SqliteDatabase.connect(str(path))
    try:
        await create_tables(db, tables.metadata)
    finally:
        await db.close()


def row_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in COUNTED_TABLES
        }
    finally:
        conn.close()


@dataclass
class SqliteRaw:
    """Same pragmas and BEGIN IMMEDIATE as SqliteDatabase; sqlite3 caches prepared statements."""

    conn: sqlite3.Connection
    name: str = "raw"

    @classmethod
    async def open(cls, path: Path) -> "SqliteRaw":
        await fresh_file(path)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=10000")
        return cls(conn)

    def new_worker(self) -> Transaction:
        stream = RawStream()
        conn = self.conn

        async def transaction(i: int) -> None:
            message_id = str(uuid4())
            # No await inside, so concurrent tasks cannot interleave within the transaction.
            conn.execute("BEGIN IMMEDIATE")
            try:
                claimed_at = datetime.now(UTC).isoformat(timespec="microseconds")
                if conn.execute(_CLAIM, (CONSUMER, message_id, claimed_at)).fetchone() is not None:
                    events, messages = stream.rows(i, message_id, iso_time=True)
                    conn.executemany(_APPEND, events)
                    conn.executemany(_OUTBOX, messages)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

        return transaction

    async def close(self) -> None:
        self.conn.close()

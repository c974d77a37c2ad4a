"""Readers of a file other processes write (the local log) read without the write lock."""

import asyncio
from pathlib import Path

from shared.db import SqliteDatabase


async def test_a_snapshot_reads_what_was_committed_while_another_connection_writes(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "log.db")
    writer, reader = SqliteDatabase.connect(path), SqliteDatabase.connect(path)
    async with writer.transaction() as conn:
        await conn.execute("CREATE TABLE record (position INTEGER PRIMARY KEY)")
        await conn.execute("INSERT INTO record (position) VALUES (1)")

    async with writer.transaction() as conn:
        await conn.execute("INSERT INTO record (position) VALUES (2)")
        # The writer holds the file's write lock: a write transaction would wait for it (up to
        # its busy timeout); a snapshot reads at once, what was committed.
        async with asyncio.timeout(1):
            async with reader.snapshot() as read:
                seen = await read.fetchval("SELECT max(position) FROM record")
    async with reader.snapshot() as read:
        after = await read.fetchval("SELECT max(position) FROM record")

    assert (seen, after) == (1, 2)
    await writer.close()
    await reader.close()

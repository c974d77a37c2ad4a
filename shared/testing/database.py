"""Small database helpers for assertions in tests."""

from shared.db import Database


async def count_rows(db: Database, table: str, where: str = "", *args: object) -> int:
    """How many rows `table` holds, optionally filtered by `where` (SQL with $n arguments)."""
    async with db.transaction() as conn:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table} {where}", *args))

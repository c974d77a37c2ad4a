"""Change feeds on both databases: a change that commits late is never passed over, and marks
keep rising across a read-model rebuild."""

from collections.abc import Sequence
from contextlib import AsyncExitStack

import pytest
from sqlalchemy import Column, MetaData, String, Table

from shared import changes
from shared.db import Database, WriteBehind, create_tables
from shared.paging import START, Listing, PageQuery, Where, fetch
from shared.tables import NAMING_CONVENTION
from shared.testing import eventually

pytestmark = pytest.mark.integration

metadata = MetaData(naming_convention=NAMING_CONVENTION)
Table(
    "feed_row",
    metadata,
    Column("row_id", String(10), primary_key=True),
    Column("state", String(10), nullable=False),
    changes.mark_column(),
)
Row = tuple[str, str]
ROWS = Listing(
    name="rows",
    source="feed_row",
    columns="row_id, state",
    order=(("row_id", str),),
    row_key=(("row_id", str),),
)
_UPSERT = (
    "INSERT INTO feed_row (row_id, state, change_mark) VALUES ($1, $2, {mark})"
    " ON CONFLICT (row_id) DO UPDATE SET state = excluded.state,"
    " change_mark = excluded.change_mark"
)


@pytest.fixture(params=["sqlite_db", "postgres_db"])
def db(request: pytest.FixtureRequest) -> Database:
    """A database of each kind with the platform tables (feed_row: `await create_tables`)."""
    found: Database = request.getfixturevalue(request.param)
    return found


async def write(conn: WriteBehind, rows: Sequence[tuple[str, str]]) -> None:
    for row_id, state in rows:
        await conn.execute(_UPSERT.format(mark=changes.now(conn)), row_id, state)


async def commit(db: Database, rows: Sequence[tuple[str, str]]) -> None:
    async with db.transaction() as raw:
        conn = WriteBehind(raw)
        await write(conn, rows)
        await conn.write_all()


async def read(db: Database, token: str, *, at_least: int = 0) -> tuple[list[Row], str]:
    """The feed's rows after `token` once there are `at_least`, and the token to read on with.

    On PostgreSQL a row shows once no transaction older than its own still runs, anywhere on
    the server (other tests' too): a moment after its commit.
    """
    rows: list[Row] = []

    async def enough() -> None:
        nonlocal token
        async with db.transaction() as conn:
            page = await fetch(conn, ROWS, Where(), PageQuery(updated_since=token))
        assert page.next is not None
        rows.extend((row["row_id"], row["state"]) for row in page.rows)
        token = page.next["updated_since"]
        assert len(rows) >= at_least, rows

    await eventually(enough, timeout=10, interval=0.05)
    return rows, token


async def test_a_change_committed_after_a_later_ones_is_not_passed_over(
    postgres_db: Database,
) -> None:
    await create_tables(postgres_db, metadata)
    async with AsyncExitStack() as stack:
        # The first writer takes its transaction id, then a second one writes and commits.
        first = WriteBehind(await stack.enter_async_context(postgres_db.transaction()))
        await write(first, [("a", "early")])
        await commit(postgres_db, [("b", "late")])

        while_open, token = await read(postgres_db, START)
        await first.write_all()
    after, token = await read(postgres_db, token, at_least=2)

    assert while_open == []
    assert after == [("a", "early"), ("b", "late")]


async def test_each_change_is_read_once_in_commit_order(db: Database) -> None:
    await create_tables(db, metadata)
    await commit(db, [("a", "1"), ("b", "1")])
    first, token = await read(db, START, at_least=2)
    await commit(db, [("b", "2")])
    await commit(db, [("a", "2")])

    second, token = await read(db, token, at_least=2)
    third, _ = await read(db, token)

    assert first == [("a", "1"), ("b", "1")]
    assert second == [("b", "2"), ("a", "2")]
    assert third == []


async def test_rows_written_anew_by_a_rebuild_come_after_every_earlier_change(
    db: Database,
) -> None:
    await create_tables(db, metadata)
    await commit(db, [("a", "1"), ("b", "1")])
    _, token = await read(db, START, at_least=2)

    async with db.transaction() as raw:
        await raw.execute("DELETE FROM feed_row")
        conn = WriteBehind(raw)
        await write(conn, [("a", "1")])
        await conn.write_all()
    await commit(db, [("c", "1")])
    rebuilt, _ = await read(db, token, at_least=2)

    assert rebuilt == [("a", "1"), ("c", "1")]

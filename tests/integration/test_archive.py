"""Archive files on SQLite and PostgreSQL: streams leave the event store for a durable file and
come back exactly as they were; what depends on their events refuses to run without them."""

import gzip
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Column, MetaData, String, Table

from shared import fastjson
from shared.archive import ArchiveError, export_streams, import_archive
from shared.clock import FrozenClock
from shared.db import Connection, Database, create_tables, placeholders
from shared.eventstore import SqlEventStore
from shared.replay import ArchivedStreamsError, rebuild_read_models
from shared.runtime import ServiceDefinition
from shared.snapshots import AggregateCache, AggregateLoader
from shared.testing.database import count_rows
from shared.testing.sample import Parcel
from shared.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite_db", "postgres_db"])
def db(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue(request.param)
    return database


def unit_of_work(db: Database, loader: AggregateLoader | None = None) -> UnitOfWork:
    return UnitOfWork(
        db=db,
        store=SqlEventStore(),
        source="parcels",
        topics={},
        projections=(),
        clock=FrozenClock(NOW),
        loader=loader,
    )


async def weighed(db: Database, *grams: int, loader: AggregateLoader | None = None) -> str:
    """A parcel stream with one ParcelWeighed per weight, each in a transaction of its own."""
    parcel_id = str(uuid4())
    for weight in grams:
        async with unit_of_work(db, loader) as uow:
            parcel = await uow.get_or_create(Parcel, parcel_id)
            parcel.weigh(weight)
            await uow.commit()
    return Parcel.stream_id_for(parcel_id)


async def stored_rows(db: Database, *stream_ids: str) -> list[tuple[object, ...]]:
    """The rows of `stored_event`, every column as the database returns it."""
    async with db.transaction() as conn:
        rows = await conn.fetch(
            f"SELECT * FROM stored_event WHERE stream_id IN ({placeholders(len(stream_ids))})"
            " ORDER BY position",
            *stream_ids,
        )
    return [tuple(row) for row in rows]


async def snapshot(db: Database, stream_id: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO aggregate_snapshot (stream_id, version, fingerprint, state)"
            " VALUES ($1, 1, 'f', $2)",
            stream_id,
            b"state",
        )


async def test_streams_leave_for_a_file_and_come_back_exactly_as_they_were(
    db: Database, tmp_path: Path
) -> None:
    first, second, other = (
        await weighed(db, 100, 200, 300),
        await weighed(db, 5),
        await weighed(db, 7),
    )
    await snapshot(db, first)
    before = await stored_rows(db, first, second)
    envelopes_before = [await loaded(db, s) for s in (first, second)]

    archived = await export_streams(
        db,
        [second, first, "parcel:never-written"],
        tmp_path / "a.jsonl.gz",
        service="parcels",
        now=NOW,
    )

    assert (archived.streams, archived.events) == (2, 4)
    assert await stored_rows(db, first, second) == []
    assert await stored_rows(db, other) != []
    assert await count_rows(db, "aggregate_snapshot") == 0
    assert await count_rows(db, "archived_stream") == 2
    with gzip.open(tmp_path / "a.jsonl.gz", "rt") as lines:
        header, *events = [fastjson.loads(line) for line in lines]
    assert header == {"format": "gapless-archive/1", "service": "parcels"}
    assert [e["stream_id"] for e in events] == [first] * 3 + [second]

    imported = await import_archive(db, tmp_path / "a.jsonl.gz", service="parcels")

    assert (imported.streams, imported.events) == (2, 4)
    assert await stored_rows(db, first, second) == before  # positions and stored text included
    assert [await loaded(db, s) for s in (first, second)] == envelopes_before
    assert await count_rows(db, "archived_stream") == 0

    await export_streams(
        db, [first, second], tmp_path / "again.jsonl.gz", service="parcels", now=NOW
    )

    assert (tmp_path / "again.jsonl.gz").read_bytes() == (tmp_path / "a.jsonl.gz").read_bytes()


async def loaded(db: Database, stream_id: str) -> list[object]:
    async with db.transaction() as conn:
        return list(await SqlEventStore().load(conn, stream_id))


async def test_an_archive_of_live_streams_or_of_another_service_is_refused_whole(
    db: Database, tmp_path: Path
) -> None:
    stream = await weighed(db, 100)
    path = tmp_path / "a.jsonl.gz"
    await export_streams(db, [stream], path, service="parcels", now=NOW)
    await import_archive(db, path, service="parcels")

    with pytest.raises(ArchiveError, match="in the event store already"):
        await import_archive(db, path, service="parcels")
    with pytest.raises(ArchiveError, match="not a gapless-archive/1 archive of the labels"):
        await import_archive(db, path, service="labels")

    assert await count_rows(db, "stored_event") == 1


async def test_a_failed_export_leaves_neither_a_file_nor_a_gap_in_the_store(
    db: Database, tmp_path: Path
) -> None:
    stream = await weighed(db, 100, 200)
    path = tmp_path / "archives" / "a.jsonl.gz"

    async def failing(_: Connection) -> None:
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        await export_streams(db, [stream], path, service="parcels", now=NOW, keep=failing)
    assert files_in(path.parent) == []
    path.write_bytes(b"someone else's")
    with pytest.raises(FileExistsError):
        await export_streams(db, [stream], path, service="parcels", now=NOW)

    assert files_in(path.parent) == ["a.jsonl.gz"]
    assert path.read_bytes() == b"someone else's"
    assert await count_rows(db, "stored_event") == 2
    assert await count_rows(db, "archived_stream") == 0


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_an_aggregate_this_process_still_holds_is_not_brought_back_from_memory(
    db: Database, tmp_path: Path
) -> None:
    loader = AggregateLoader(SqlEventStore(), AggregateCache())
    stream = await weighed(db, 100, 200, loader=loader)  # the last commit left it in the cache
    await export_streams(db, [stream], tmp_path / "a.jsonl.gz", service="parcels", now=NOW)

    async with unit_of_work(db, loader) as uow:
        found = await uow.get(Parcel, stream.partition(":")[2])

    assert found is None


read_models = MetaData()
Table("parcel_seen", read_models, Column("parcel_id", String(36), primary_key=True))
PARCELS = ServiceDefinition(
    name="parcels", published=(), aggregates=(Parcel,), read_models=read_models
)


async def test_a_rebuild_is_refused_while_streams_are_archived_and_runs_once_they_are_back(
    db: Database, tmp_path: Path
) -> None:
    await create_tables(db, read_models)
    stream = await weighed(db, 100)
    path = tmp_path / "a.jsonl.gz"
    await export_streams(db, [stream], path, service="parcels", now=NOW)

    with pytest.raises(ArchivedStreamsError, match="1 stream"):
        await rebuild_read_models(db, PARCELS)
    await import_archive(db, path, service="parcels")
    report = await rebuild_read_models(db, PARCELS)

    assert report.events == 1 and report.identical

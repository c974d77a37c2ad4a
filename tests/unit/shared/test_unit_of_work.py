"""Unit of work: events, outbox rows and inbox claims commit together or not at all."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import cast
from uuid import uuid4

import pytest

from shared import context
from shared.clock import FrozenClock
from shared.db import Connection, SqliteDatabase, WriteBehind
from shared.errors import ConcurrencyError
from shared.eventstore import SqlEventStore
from shared.testing.database import count_rows
from shared.testing.sample import Parcel
from shared.unit_of_work import UnitOfWork

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def unit_of_work(db: SqliteDatabase, *, on_commit: list[str] | None = None) -> UnitOfWork:
    return UnitOfWork(
        db=db,
        store=SqlEventStore(),
        source="parcels",
        topics={"ParcelWeighed": "parcels.events"},
        projections=(),
        clock=FrozenClock(NOW),
        on_commit=None if on_commit is None else lambda: on_commit.append("woken"),
    )


async def weigh_new_parcel(db: SqliteDatabase, parcel_id: str, grams: int) -> None:
    async with unit_of_work(db) as uow:
        parcel = Parcel.received(parcel_id)
        parcel.weigh(grams)
        uow.add(parcel)
        await uow.commit()


async def test_leaving_without_commit_rolls_back_even_flushed_writes(
    sqlite_db: SqliteDatabase,
) -> None:
    async with unit_of_work(sqlite_db) as uow:
        parcel = Parcel.received(str(uuid4()))
        parcel.weigh(500)
        uow.add(parcel)
        await uow.claim(consumer="parcels", message_id=str(uuid4()))
        await uow.flush()

    assert await count_rows(sqlite_db, "stored_event") == 0
    assert await count_rows(sqlite_db, "outbox_message") == 0
    assert await count_rows(sqlite_db, "processed_message") == 0


async def test_an_error_inside_the_block_rolls_everything_back(sqlite_db: SqliteDatabase) -> None:
    with pytest.raises(RuntimeError):
        async with unit_of_work(sqlite_db) as uow:
            parcel = Parcel.received(str(uuid4()))
            parcel.weigh(500)
            uow.add(parcel)
            await uow.flush()
            raise RuntimeError("handler crashed")

    assert await count_rows(sqlite_db, "stored_event") == 0


async def test_commit_stores_every_event_but_queues_only_published_types(
    sqlite_db: SqliteDatabase,
) -> None:
    parcel = Parcel.received(str(uuid4()))
    parcel.weigh(500)
    parcel.label("fragile")
    parcel.weigh(250)

    async with unit_of_work(sqlite_db) as uow:
        uow.add(parcel)
        committed = await uow.commit()

    assert [e.event_type for e in committed] == ["ParcelWeighed", "ParcelLabelled", "ParcelWeighed"]
    assert [e.aggregate_version for e in committed] == [1, 2, 3]
    assert await count_rows(sqlite_db, "stored_event") == 3
    async with sqlite_db.transaction() as conn:
        queued = await conn.fetch(
            "SELECT event_id, topic, event_type FROM outbox_message ORDER BY id"
        )
    assert [(r["event_id"], r["topic"], r["event_type"]) for r in queued] == [
        (str(e.event_id), "parcels.events", "ParcelWeighed")
        for e in committed
        if e.event_type == "ParcelWeighed"
    ]


async def test_envelopes_carry_the_flow_of_the_message_that_caused_them(
    sqlite_db: SqliteDatabase,
) -> None:
    correlation, causation = uuid4(), uuid4()

    with context.flow(correlation, causation):
        async with unit_of_work(sqlite_db) as uow:
            parcel = Parcel.received(str(uuid4()))
            parcel.weigh(500)
            uow.add(parcel)
            [envelope] = await uow.commit()

    assert (envelope.correlation_id, envelope.causation_id) == (correlation, causation)
    assert (envelope.source, envelope.occurred_at) == ("parcels", NOW)


async def test_a_loaded_aggregate_continues_its_stream_and_is_shared_within_the_transaction(
    sqlite_db: SqliteDatabase,
) -> None:
    parcel_id = str(uuid4())
    await weigh_new_parcel(sqlite_db, parcel_id, 500)

    async with unit_of_work(sqlite_db) as uow:
        first = await uow.get(Parcel, parcel_id)
        again = await uow.get(Parcel, parcel_id)
        assert first is not None and first is again
        first.weigh(100)
        [envelope] = await uow.commit()

    assert envelope.aggregate_version == 2
    async with unit_of_work(sqlite_db) as uow:
        reloaded = await uow.get(Parcel, parcel_id)
    assert reloaded is not None and (reloaded.grams, reloaded.version) == (600, 2)


async def test_adding_a_second_aggregate_with_an_existing_id_raises_concurrency_error(
    sqlite_db: SqliteDatabase,
) -> None:
    parcel_id = str(uuid4())
    await weigh_new_parcel(sqlite_db, parcel_id, 500)

    with pytest.raises(ConcurrencyError):
        await weigh_new_parcel(sqlite_db, parcel_id, 700)

    assert await count_rows(sqlite_db, "stored_event") == 1
    assert await count_rows(sqlite_db, "outbox_message") == 1


async def test_an_unknown_aggregate_loads_as_none(sqlite_db: SqliteDatabase) -> None:
    async with unit_of_work(sqlite_db) as uow:
        assert await uow.get(Parcel, str(uuid4())) is None


async def test_a_commit_with_new_events_wakes_the_relay_and_one_without_does_not(
    sqlite_db: SqliteDatabase,
) -> None:
    wakes: list[str] = []

    async with unit_of_work(sqlite_db, on_commit=wakes) as uow:
        await uow.commit()
    async with unit_of_work(sqlite_db, on_commit=wakes) as uow:
        parcel = Parcel.received(str(uuid4()))
        parcel.weigh(1)
        uow.add(parcel)
        await uow.commit()

    assert wakes == ["woken"]


async def a_parcel_state_table(db: SqliteDatabase) -> str:
    """A table of one row per parcel, for held-back writes; the statement that writes a row."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE parcel_state (parcel_id TEXT PRIMARY KEY, grams INT)")
    return "INSERT INTO parcel_state (parcel_id, grams) VALUES ($1, $2)"


async def test_held_back_row_writes_keep_the_last_state_are_read_back_and_roll_back(
    sqlite_db: SqliteDatabase,
) -> None:
    statement = await a_parcel_state_table(sqlite_db)
    async with unit_of_work(sqlite_db) as uow:
        uow.conn.defer("p-1", statement, "p-1", 100)
        uow.conn.defer("p-2", statement, "p-2", 700)
        uow.conn.defer("p-1", statement, "p-1", 250)  # the later state of p-1 replaces it
        uow.conn.defer("p-4", statement, "p-4", 1)
        uow.conn.defer("p-4", "DELETE FROM parcel_state WHERE parcel_id = $1", "p-4")
        read_back = await uow.conn.fetch("SELECT parcel_id, grams FROM parcel_state ORDER BY 1")
        uow.conn.defer("p-3", statement, "p-3", 900)
        # leaves without commit: the rows written for the read and the held one go

    assert [tuple(row) for row in read_back] == [("p-1", 250), ("p-2", 700)]
    assert await count_rows(sqlite_db, "parcel_state") == 0

    async with unit_of_work(sqlite_db) as uow:
        uow.conn.defer("p-3", statement, "p-3", 900)
        await uow.commit()

    assert await count_rows(sqlite_db, "parcel_state") == 1


async def test_held_back_counters_add_up_to_one_write_per_row(sqlite_db: SqliteDatabase) -> None:
    async with sqlite_db.transaction() as conn:
        await conn.execute(
            "CREATE TABLE parcel_count (depot TEXT PRIMARY KEY, parcels INT, grams INT)"
        )
    count = (
        "INSERT INTO parcel_count (depot, parcels, grams) VALUES ($1, $2, $3)"
        " ON CONFLICT (depot) DO UPDATE SET parcels = parcel_count.parcels + excluded.parcels,"
        " grams = parcel_count.grams + excluded.grams"
    )
    for batch in ([("north", 500), ("south", 200), ("north", 250)], [("north", 50)]):
        async with unit_of_work(sqlite_db) as uow:
            for depot, grams in batch:
                uow.conn.add(("parcel_count", depot), count, (depot,), (1, grams))
            await uow.commit()

    async with sqlite_db.transaction() as conn:
        rows = await conn.fetch("SELECT depot, parcels, grams FROM parcel_count ORDER BY 1")
    assert [tuple(row) for row in rows] == [("north", 3, 800), ("south", 1, 200)]


async def test_a_held_back_row_shows_the_state_it_will_be_written_with(
    sqlite_db: SqliteDatabase,
) -> None:
    statement = await a_parcel_state_table(sqlite_db)
    async with unit_of_work(sqlite_db) as uow:
        uow.conn.defer("p-1", statement, "p-1", 100)
        uow.conn.defer("p-1", statement, "p-1", 250)
        held = uow.conn.held("p-1")
        never_held = uow.conn.held("p-2")
        await uow.conn.fetch("SELECT 1")  # a read writes it out: nothing is held any more
        written = uow.conn.held("p-1")

    assert held == ("p-1", 250)
    assert never_held is None
    assert written is None


class _Recording:
    """A connection that only records the statements it is given, in order."""

    dialect = "sqlite"

    def __init__(self) -> None:
        self.written: list[tuple[str, list[tuple[object, ...]]]] = []

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        self.written.append((sql, [tuple(row) for row in rows]))

    async def fetch(self, _sql: str, *_args: object) -> list[object]:
        return []


async def test_shared_counters_are_written_last_in_one_order_whatever_order_they_were_added() -> (
    None
):
    # Two transactions adding to the same hot counters lock their rows in the same order, so
    # they cannot deadlock; a read mid-transaction leaves them for the commit.
    add_depot = "UPSERT depot $1 + $2"
    add_total = "UPSERT total $1 + $2"
    recording = _Recording()
    conn = WriteBehind(cast(Connection, recording))
    conn.add(("total", "parcels"), add_total, ("parcels",), (1,))
    conn.add(("depot", "south"), add_depot, ("south",), (1,))
    conn.defer("state-1", "SET state $1", "s1")
    conn.add(("depot", "north"), add_depot, ("north",), (2,))
    conn.add(("depot", "south"), add_depot, ("south",), (3,))

    await conn.fetch("SELECT 1")
    after_read = list(recording.written)
    await conn.write_all()

    assert after_read == [("SET state $1", [("s1",)])]
    assert recording.written[1:] == [
        (add_depot, [("north", 2), ("south", 4)]),
        (add_total, [("parcels", 1)]),
    ]

"""Typed rows (shared/rows.py): each statement form does what it says, on a real database."""

from dataclasses import dataclass

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from shared import changes, rows
from shared.changes import mark_column
from shared.db import SqliteDatabase, WriteBehind, create_tables

parcels = MetaData()
Table(
    "parcel",
    parcels,
    Column("parcel_id", String(36), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("grams", Integer, nullable=False),
    Column("note", String(100)),
    mark_column(),
)


@dataclass(frozen=True, slots=True)
class ParcelRow(rows.Row):
    table = "parcel"
    primary_key = ("parcel_id",)

    parcel_id: str
    status: str
    grams: int
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ParcelWeight(rows.Row):
    table = "parcel"
    primary_key = ("parcel_id",)

    parcel_id: str
    grams: int


@pytest.fixture
async def db(sqlite_db: SqliteDatabase) -> SqliteDatabase:
    await create_tables(sqlite_db, parcels)
    async with sqlite_db.transaction() as conn:
        await conn.execute("INSERT INTO change_clock (id, value) VALUES (1, 7)")
    return sqlite_db


async def stored(db: SqliteDatabase) -> list[tuple[object, ...]]:
    async with db.transaction() as conn:
        found = await conn.fetch(
            "SELECT parcel_id, status, grams, note, change_mark FROM parcel ORDER BY parcel_id"
        )
    return [tuple(row) for row in found]


async def test_an_insert_writes_the_fields_in_their_columns_and_refuses_a_second_row(
    db: SqliteDatabase,
) -> None:
    async with db.transaction() as conn:
        await conn.execute(*rows.insert(ParcelRow("p1", "weighed", 500, note="fragile")))
    with pytest.raises(Exception, match="UNIQUE"):
        async with db.transaction() as conn:
            await conn.execute(*rows.insert(ParcelRow("p1", "lost", 1)))

    assert await stored(db) == [("p1", "weighed", 500, "fragile", 0)]


async def test_on_conflict_skip_keeps_the_row_there_and_update_takes_the_new_values(
    db: SqliteDatabase,
) -> None:
    async with db.transaction() as conn:
        await conn.execute(*rows.insert(ParcelRow("p1", "weighed", 500)))
        await conn.execute(*rows.insert(ParcelRow("p2", "weighed", 700)))
        await conn.execute(*rows.insert(ParcelRow("p1", "lost", 1), on_conflict="skip"))
        await conn.execute(*rows.insert(ParcelRow("p2", "sent", 710), on_conflict="update"))

    assert await stored(db) == [("p1", "weighed", 500, None, 0), ("p2", "sent", 710, None, 0)]


async def test_on_conflict_update_only_some_columns_leaves_the_others_as_they_were(
    db: SqliteDatabase,
) -> None:
    async with db.transaction() as conn:
        await conn.execute(*rows.insert(ParcelRow("p1", "weighed", 500, note="fragile")))
        for parcel_id in ("p1", "p2"):
            row = ParcelRow(parcel_id, "new", 650)
            await conn.execute(*rows.insert(row, on_conflict="update", only=("grams",)))

    assert await stored(db) == [("p1", "weighed", 650, "fragile", 0), ("p2", "new", 650, None, 0)]


async def test_an_update_sets_the_fields_of_the_row_with_its_key_and_the_change_mark(
    db: SqliteDatabase,
) -> None:
    async with db.transaction() as raw:
        await raw.execute(*rows.insert(ParcelRow("p1", "weighed", 500)))
        await raw.execute(*rows.insert(ParcelRow("p2", "weighed", 700)))
    async with db.transaction() as raw:
        conn = WriteBehind(raw)
        await conn.execute(*rows.update(ParcelWeight("p1", 520), mark=changes.now(conn)))
        await conn.write_all()

    assert await stored(db) == [("p1", "weighed", 520, None, 7), ("p2", "weighed", 700, None, 0)]


def test_a_statement_is_built_once_per_model_and_form() -> None:
    first = rows.insert(ParcelRow("p1", "weighed", 500), on_conflict="update", only=("grams",))
    again = rows.insert(ParcelRow("p9", "sent", 1), on_conflict="update", only=("grams",))

    assert first[0] is again[0]
    assert first[0] == (
        "INSERT INTO parcel (parcel_id, status, grams, note) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (parcel_id) DO UPDATE SET grams = excluded.grams"
    )
    assert again[1:] == ("p9", "sent", 1, None)

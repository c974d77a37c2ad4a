"""Snapshots and the aggregate cache: loading through them gives exactly the state of a fold
of the whole stream, and nothing uncommitted or written by other code is ever used."""

import random
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID, uuid4

import pytest

from services.inventory.domain import Stock
from shared.aggregate import Aggregate
from shared.clock import FrozenClock
from shared.db import SqliteDatabase
from shared.errors import DomainError
from shared.eventstore import SqlEventStore
from shared.snapshots import AggregateCache, AggregateLoader, fingerprint, same_state
from shared.testing.database import count_rows
from shared.testing.sample import Parcel
from shared.unit_of_work import UnitOfWork

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
A = TypeVar("A", bound=Aggregate)


def unit_of_work(db: SqliteDatabase, loader: AggregateLoader | None = None) -> UnitOfWork:
    return UnitOfWork(
        db=db,
        store=SqlEventStore(),
        source="test",
        topics={},
        projections=(),
        clock=FrozenClock(NOW),
        loader=loader,
    )


async def folded_from_zero(db: SqliteDatabase, cls: type[A], key: str) -> A:
    async with db.transaction() as conn:
        history = await SqlEventStore().load(conn, cls.stream_id_for(key))
    return cls.rehydrate(key, [cls.event_from(e.event_type, e.data) for e in history])


async def random_stock_history(db: SqliteDatabase, loader: AggregateLoader, seed: int) -> None:
    """Hundreds of transactions of receipts, orders, changes, releases and shipments."""
    rng = random.Random(seed)
    orders: list[UUID] = []
    for _ in range(300):
        async with unit_of_work(db, loader) as uow:
            stock = await uow.get(Stock, "HOT") or Stock("HOT")
            uow.add(stock)
            action = rng.random()
            if action < 0.15 or not orders:
                stock.receive(rng.randint(1, 20))
            elif action < 0.6:
                order_id = uuid4()
                orders.append(order_id)
                stock.place(
                    order_id,
                    rng.randint(1, 5),
                    priority=rng.randint(1, 9),
                    deadline=NOW + timedelta(minutes=rng.randint(1, 600)),
                    at=NOW,
                )
            elif action < 0.75:
                stock.release(rng.choice(orders), "cancelled")
            elif action < 0.9:
                order_id = rng.choice(orders)
                if (line := stock.lines.get(order_id)) is not None and line.reserved:
                    stock.ship(uuid4(), order_id, line.reserved)
            else:
                order_id = rng.choice(orders)
                stock.change(order_id, rng.randint(0, 6), priority=1, deadline=NOW)
            stock.allocate_all()
            await uow.commit()


@pytest.mark.parametrize("seed", range(5))
async def test_a_snapshot_and_its_tail_equal_the_fold_of_the_whole_stream(
    sqlite_db: SqliteDatabase, seed: int
) -> None:
    await random_stock_history(sqlite_db, AggregateLoader(SqlEventStore(), AggregateCache()), seed)

    assert await count_rows(sqlite_db, "aggregate_snapshot") == 1
    cold = AggregateLoader(SqlEventStore())  # no cache: snapshot + the events after it
    async with sqlite_db.transaction() as conn:
        loaded = (await cold.load(conn, Stock, ["HOT"]))["HOT"]
        snapshot_version = await conn.fetchval("SELECT version FROM aggregate_snapshot")
    from_zero = await folded_from_zero(sqlite_db, Stock, "HOT")
    assert 0 < snapshot_version <= from_zero.version
    assert same_state(loaded, from_zero)


async def test_the_cache_gives_the_same_state_as_a_cold_load(sqlite_db: SqliteDatabase) -> None:
    warm = AggregateLoader(SqlEventStore(), AggregateCache())
    await random_stock_history(sqlite_db, warm, seed=7)

    async with sqlite_db.transaction() as conn:
        cached = (await warm.load(conn, Stock, ["HOT"]))["HOT"]
    assert same_state(cached, await folded_from_zero(sqlite_db, Stock, "HOT"))


async def test_a_rolled_back_change_never_reaches_the_cache_or_a_snapshot(
    sqlite_db: SqliteDatabase,
) -> None:
    loader = AggregateLoader(SqlEventStore(), AggregateCache())
    async with unit_of_work(sqlite_db, loader) as uow:
        parcel = Parcel("p-1")
        for _ in range(60):
            parcel.weigh(10)
        uow.add(parcel)
        await uow.commit()

    with pytest.raises(DomainError):
        async with unit_of_work(sqlite_db, loader) as uow:
            loaded = await uow.get(Parcel, "p-1")
            assert loaded is not None
            for _ in range(60):
                loaded.weigh(1_000)
            loaded.weigh(0)  # refused: the unit of work rolls back

    async with unit_of_work(sqlite_db, loader) as uow:
        again = await uow.get(Parcel, "p-1")
    assert again is not None and again.grams == 600 and again.version == 60
    async with sqlite_db.transaction() as conn:
        assert await conn.fetchval("SELECT version FROM aggregate_snapshot") == 60


async def test_events_written_by_another_process_are_read_after_the_cached_version(
    sqlite_db: SqliteDatabase,
) -> None:
    mine = AggregateLoader(SqlEventStore(), AggregateCache())
    async with unit_of_work(sqlite_db, mine) as uow:
        parcel = Parcel("p-2")
        parcel.weigh(5)
        uow.add(parcel)
        await uow.commit()
    async with unit_of_work(sqlite_db, AggregateLoader(SqlEventStore())) as other:
        theirs = await other.get(Parcel, "p-2")
        assert theirs is not None
        theirs.weigh(7)
        await other.commit()

    async with unit_of_work(sqlite_db, mine) as uow:
        loaded = await uow.get(Parcel, "p-2")
    assert loaded is not None and loaded.grams == 12 and loaded.version == 2


async def test_a_snapshot_written_by_other_code_is_ignored(sqlite_db: SqliteDatabase) -> None:
    async with unit_of_work(sqlite_db) as uow:
        parcel = Parcel("p-3")
        for _ in range(50):
            parcel.weigh(2)
        uow.add(parcel)
        await uow.commit()
    async with sqlite_db.transaction() as conn:
        assert await conn.fetchval("SELECT fingerprint FROM aggregate_snapshot") == fingerprint(
            Parcel
        )
        await conn.execute("UPDATE aggregate_snapshot SET fingerprint = 'Parcel:older-code'")

    async with unit_of_work(sqlite_db) as uow:
        loaded = await uow.get(Parcel, "p-3")
    assert loaded is not None and loaded.grams == 100 and loaded.version == 50

"""Two inventory processes reserving one SKU at once on PostgreSQL: one loses, retries, no oversell.

In scale-out two consumer-group members may apply batches touching the same SKU concurrently.
The event store's UNIQUE (stream_id, version) lets exactly one append; the loser's batch rolls
back with ConcurrencyError and the consumer runs it again from a fresh read.
"""

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from services.inventory import handlers, inbound, views
from services.inventory.commands import ReceiveStock
from services.inventory.service import DEFINITION
from shared.clock import SystemClock
from shared.db import Connection, PostgresDatabase, create_tables
from shared.envelope import Envelope
from shared.errors import ConcurrencyError
from shared.eventstore import EventStore, SqlEventStore
from shared.testing.builders import an_envelope
from shared.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration
SKU = "RARE-VASE"


class LoadThenWait(SqlEventStore):
    """Holds every reader after its load until all rivals have loaded: the race, made certain."""

    def __init__(self, rivals: int) -> None:
        self._all_loaded = asyncio.Barrier(rivals)

    async def load_after(
        self, conn: Connection, versions: Mapping[str, int]
    ) -> dict[str, list[Envelope]]:
        envelopes = await super().load_after(conn, versions)
        await self._all_loaded.wait()
        return envelopes


def unit_of_work(db: PostgresDatabase, store: EventStore) -> UnitOfWork:
    return UnitOfWork(
        db=db,
        store=store,
        source="inventory",
        topics=DEFINITION.topics_by_event_type,
        projections=(views.project,),
        clock=SystemClock(),
    )


def order_placed(quantity: int = 1) -> Envelope:
    deadline = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    lines = [{"sku": SKU, "quantity": quantity}]
    order_id = uuid4()
    return an_envelope(
        event_type="OrderPlaced",
        data={"order_id": str(order_id), "lines": lines, "deadline": deadline},
        source="order",
        aggregate_id=str(order_id),
        correlation_id=order_id,
    )


async def apply_batch(db: PostgresDatabase, store: EventStore, envelope: Envelope) -> None:
    """What the consumer does with a batch of one: inbox claim, handler, one commit."""
    async with unit_of_work(db, store) as uow:
        assert await uow.claim(consumer="inventory", message_id=str(envelope.event_id))
        event = inbound.OrderPlaced.model_validate(envelope.data)
        await handlers.reserve_stock_when_order_placed(event, envelope, uow)
        await uow.commit()


async def apply_until_it_wins(db: PostgresDatabase, envelope: Envelope) -> None:
    """The consumer's retry of a batch that lost a race: reload, decide again."""
    while True:
        try:
            return await apply_batch(db, SqlEventStore(), envelope)
        except ConcurrencyError:
            await asyncio.sleep(0)


async def stock_events(db: PostgresDatabase, *event_types: str) -> list[dict[str, object]]:
    async with db.transaction() as conn:
        envelopes = await SqlEventStore().load(conn, f"stock:{SKU}")
    return [e.data for e in envelopes if e.event_type in event_types]


@pytest.fixture
async def db(postgres_db: PostgresDatabase) -> PostgresDatabase:
    await create_tables(postgres_db, views.metadata)
    await handlers.receive_stock(
        ReceiveStock(sku=SKU, quantity=1), unit_of_work(postgres_db, SqlEventStore())
    )
    return postgres_db


def reserved_orders(events: Sequence[dict[str, object]]) -> list[UUID]:
    return [UUID(str(e["order_id"])) for e in events]


async def test_two_concurrent_batches_for_one_sku_let_one_win_and_the_retry_backorders(
    db: PostgresDatabase,
) -> None:
    first, second = order_placed(), order_placed()
    racing = LoadThenWait(rivals=2)

    outcomes = await asyncio.gather(
        apply_batch(db, racing, first), apply_batch(db, racing, second), return_exceptions=True
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["ConcurrencyError", "NoneType"]
    loser = second if isinstance(outcomes[1], ConcurrencyError) else first
    await apply_batch(db, SqlEventStore(), loser)
    assert len(await stock_events(db, "StockReserved")) == 1
    [backordered] = await stock_events(db, "StockBackordered")
    assert backordered["order_id"] == loser.data["order_id"]
    async with db.transaction() as conn:
        level = await views.stock_level(conn, SKU)
    assert level is not None
    assert (level.on_hand, level.reserved, level.backordered) == (1, 1, 1)


async def test_many_concurrent_orders_for_a_scarce_sku_never_oversell(db: PostgresDatabase) -> None:
    await handlers.receive_stock(
        ReceiveStock(sku=SKU, quantity=4), unit_of_work(db, SqlEventStore())
    )
    orders = [order_placed(quantity=2) for _ in range(16)]

    await asyncio.gather(*(apply_until_it_wins(db, order) for order in orders))

    reserved = await stock_events(db, "StockReserved")
    assert sum(int(str(e["quantity"])) for e in reserved) == 5
    answered = set(reserved_orders(reserved)) | set(
        reserved_orders(await stock_events(db, "StockBackordered"))
    )
    assert answered == {UUID(o.data["order_id"]) for o in orders}
    async with db.transaction() as conn:
        level = await views.stock_level(conn, SKU)
    assert level is not None
    assert (level.on_hand, level.reserved, level.backordered) == (5, 5, 27)

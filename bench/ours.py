"""OURS: one consumer transaction through the platform, the same on PostgreSQL and SQLite."""

import asyncio
from dataclasses import dataclass
from uuid import uuid4

from bench.model import CONSUMER, PUBLISHED, SOURCE, TOPIC, BenchItem
from bench.runner import Transaction
from shared import context
from shared.clock import SystemClock
from shared.db import Database
from shared.eventstore import SqlEventStore
from shared.unit_of_work import UnitOfWork


@dataclass
class Ours:
    """What `Consumer._apply_batch` does for a batch of one: claim, handle, flush, commit.

    Left out on purpose: decoding the incoming record, tenacity retries and Prometheus counters
    (consumer runtime, not the transaction), and `uow.get()` (a load the RAW list does not have;
    the worker keeps its aggregate in memory and `add()`s it, so versions still continue).
    """

    db: Database
    name: str = "ours"

    def __post_init__(self) -> None:
        self._store = SqlEventStore()
        self._clock = SystemClock()
        self._relay_wake = asyncio.Event()

    def unit_of_work(self) -> UnitOfWork:
        # As ServiceRuntime.unit_of_work builds it: a fresh one per consumer batch.
        return UnitOfWork(
            db=self.db,
            store=self._store,
            source=SOURCE,
            topics=dict.fromkeys(PUBLISHED, TOPIC),
            projections=(),
            clock=self._clock,
            on_commit=self._relay_wake.set,
        )

    def new_worker(self) -> Transaction:
        item = BenchItem(str(uuid4()))
        correlation = uuid4()

        async def transaction(i: int) -> None:
            message_id = uuid4()
            async with self.unit_of_work() as uow:
                with context.flow(correlation, message_id):
                    ids = [str(message_id)]
                    if await uow.claim_all(consumer=CONSUMER, message_ids=ids):
                        item.count(i)
                        uow.add(item)
                        await uow.flush()
                await uow.commit()

        return transaction

    async def close(self) -> None:
        await self.db.close()

"""A tiny event-sourced aggregate for exercising the platform (unit of work, upcasting) in tests,
and a sample consumer of its events (`ParcelWeighed` into `parcel_weight`)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict

from shared.aggregate import Aggregate, event_map
from shared.clock import SystemClock
from shared.consumer import Consumer, Route
from shared.db import Database
from shared.envelope import Envelope
from shared.errors import DomainError
from shared.eventstore import SqlEventStore
from shared.messages import DomainEvent
from shared.unit_of_work import UnitOfWork


class ParcelWeighed(DomainEvent):
    """Version 2: version 1 carried `kilograms`; the upcaster below converts it."""

    event_version: ClassVar[int] = 2

    grams: int


class ParcelLabelled(DomainEvent):
    label: str


class Parcel(Aggregate):
    """Weighed any number of times (the total adds up), labelled any number of times."""

    stream_type = "parcel"
    event_classes = event_map(ParcelWeighed, ParcelLabelled)
    upcasters = {("ParcelWeighed", 1): lambda data: {"grams": round(data["kilograms"] * 1000)}}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.grams = 0
        self.labels: list[str] = []

    @classmethod
    def received(cls, aggregate_id: str) -> Self:
        return cls(aggregate_id)

    def weigh(self, grams: int) -> None:
        if grams <= 0:
            raise DomainError(f"a parcel cannot weigh {grams} g")
        self._record(ParcelWeighed(grams=grams))

    def label(self, text: str) -> None:
        self._record(ParcelLabelled(label=text))

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case ParcelWeighed(grams=grams):
                self.grams += grams
            case ParcelLabelled(label=label):
                self.labels.append(label)


class ParcelWeighedIn(BaseModel):
    """A consumer's own tolerant-reader model of `ParcelWeighed`."""

    model_config = ConfigDict(extra="ignore")

    grams: int


# One row per effect and no unique key, so a second effect of one event would show as two rows.
PARCEL_WEIGHT_DDL = "CREATE TABLE parcel_weight (event_id VARCHAR(36), grams INTEGER)"


async def record_weight(event: ParcelWeighedIn, envelope: Envelope, uow: UnitOfWork) -> None:
    """The consumer's effect: a `parcel_weight` row written in the inbox's transaction."""
    await uow.conn.execute(
        "INSERT INTO parcel_weight (event_id, grams) VALUES ($1, $2)",
        str(envelope.event_id),
        event.grams,
    )


# The sample consumer of the consumer tests, in the parts a `Consumer` takes.
WEIGHING = {"ParcelWeighed": Route(ParcelWeighedIn, record_weight)}


def weighing_unit_of_work(db: Database) -> Callable[[], UnitOfWork]:
    """A new unit of work per batch on `db`: no aggregate topics, no projections, real time."""
    return lambda: UnitOfWork(
        db=db,
        store=SqlEventStore(),
        source="weights",
        topics={},
        projections=(),
        clock=SystemClock(),
    )


@contextlib.asynccontextmanager
async def running(consumer: Consumer) -> AsyncIterator[None]:
    """Run the consumer in the background; a crash of it surfaces when the block ends."""
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

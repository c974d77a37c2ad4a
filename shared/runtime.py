"""Service runtime: the composition root that turns a service definition into running parts.

The same runtime runs embedded (SQLite + the local log, all services in one process) and scale-out
(PostgreSQL + Kafka, one process per service); only the database url and the broker differ.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from functools import cached_property, partial
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from sqlalchemy import MetaData, Table

from migrations import runner as migrations
from shared import tables
from shared.aggregate import Aggregate
from shared.bus import Broker, Subscription
from shared.clock import Clock, SystemClock
from shared.commands import CommandBus, CommandHandlers
from shared.consumer import LAG, AfterCommit, Consumer, Decoder, Route
from shared.db import Database, connect, create_tables
from shared.deadletter import dlq_topic
from shared.eventstore import SqlEventStore
from shared.messages import Command, DomainEvent
from shared.outbox import OutboxRelay
from shared.retention import (
    PRUNED,
    Pruned,
    in_batches,
    prune_idempotency_keys,
    prune_inbox,
    prune_outbox,
)
from shared.settings import ConsumerSettings, ServiceSettings
from shared.snapshots import AggregateCache, AggregateLoader
from shared.topics import events_topic
from shared.unit_of_work import Projection, UnitOfWork

logger = logging.getLogger(__name__)
# How often consumer lag is sampled (test settings shorten every schedule, this one too).
LAG_SECONDS = 5.0

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class Subscriptions:
    """One consumer-group member: which topics it reads and how each event type is handled."""

    topics: tuple[str, ...]
    routes: Mapping[str, Route]
    decode: Decoder | None = None


@dataclass(frozen=True)
class Schedule:
    """A job run every `every` in each process of the service.

    Several replicas run it concurrently, so a job must be safe to run twice: it sends commands
    whose domain guards make a repeat a no-op (cancel an order only if it is still held, say).
    """

    name: str
    every: timedelta
    run: Callable[["ServiceRuntime"], Awaitable[None]]
    # Refreshes what this process's /metrics shows: it also runs in a process that serves the
    # service's HTTP while its event work runs elsewhere (embedded workers).
    for_http: bool = False
    # Kept even when GAPLESS_SCHEDULE_INTERVAL_SECONDS runs every other schedule faster (a job
    # that records an event per run must not fill the store in a demo).
    own_interval: bool = False

    @classmethod
    def sending(
        cls,
        name: str,
        every: timedelta,
        command: Callable[[], Command],
        *,
        again: Callable[[Any], bool] | None = None,
        at_most: int = 1,
        own_interval: bool = False,
    ) -> "Schedule":
        """A job that sends a fresh `command()` to the service, each in its own transaction:
        once, or again (up to `at_most` times a run) while `again(result)` says there is more."""

        async def run(runtime: "ServiceRuntime") -> None:
            for _ in range(at_most):
                result = await runtime.send(command())
                if again is None or not again(result):
                    return

        return cls(name, every, run, own_interval=own_interval)


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    # Published on the service's own topic `<name>.events`.
    published: tuple[type[DomainEvent], ...]
    subscriptions: tuple[Subscriptions, ...] = ()
    # Every aggregate the service keeps streams of: how a stored event is read back typed.
    aggregates: tuple[type[Aggregate], ...] = ()
    projections: tuple[Projection, ...] = ()
    # Writers of outboxes of the service's own beside the event outbox (a webhook feed): they
    # see each recorded event as projections do, in its transaction, but never run in a rebuild,
    # which must not send anything again.
    outboxes: tuple[Projection, ...] = ()
    # Aggregates whose state projections receive with each of their events (a rebuild folds them).
    projected_aggregates: tuple[type[Aggregate], ...] = ()
    # Tables derived from events by `projections`: `gapless replay rebuild` can recreate them.
    read_models: MetaData | None = None
    # The write side's own indexes (services/<name>/lookups): derived from events like read
    # models, in the same transaction, and rebuilt with them; only handlers read them.
    lookups: MetaData | None = None
    # Tables that no projection of the service's own events derives (idempotency keys, another
    # service's state as its events tell it): created, never rebuilt.
    other_tables: tuple[MetaData, ...] = ()
    # The handler of each command the service accepts (see shared/commands.py).
    commands: CommandHandlers = field(default_factory=dict)
    # Module-level routers: a route reaches its service's runtime through `runtime_of`.
    routers: Sequence[APIRouter] = ()
    demo_data: Callable[["ServiceRuntime"], Awaitable[None]] | None = None
    schedules: tuple[Schedule, ...] = ()

    # POSTed to subscribers' webhook URLs (a CloudEvent each) instead of a topic: their data
    # schemas are generated with the published events' (schemas/).
    webhook_events: tuple[type[DomainEvent], ...] = ()
    # Published on outward topics instead (requests to a WMS or TMS, say): event -> topic.
    published_elsewhere: Mapping[type[DomainEvent], str] = field(default_factory=dict)

    def owned_tables(self) -> list[MetaData]:
        """Every set of tables the service keeps besides the platform's."""
        owned = (self.read_models, self.lookups, *self.other_tables)
        return [metadata for metadata in owned if metadata is not None]

    def derived_tables(self) -> list[Table]:
        """Every table folded from the service's own events (read models and lookups), in
        creation order: what a rebuild empties and fills again."""
        owned = (self.read_models, self.lookups)
        return [
            table for metadata in owned if metadata is not None for table in metadata.sorted_tables
        ]

    @property
    def topic(self) -> str:
        return events_topic(self.name)

    @cached_property
    def topics_by_event_type(self) -> dict[str, str]:
        topics = {event.event_type(): self.topic for event in self.published}
        topics |= {event.event_type(): topic for event, topic in self.published_elsewhere.items()}
        return topics

    def consumed_topics(self) -> list[str]:
        return [t for s in self.subscriptions for t in s.topics]

    def written_topics(self) -> list[str]:
        """The topics the service writes: its own, outward ones and its dead-letter topic."""
        own = [self.topic] if self.published else []
        return list(dict.fromkeys([*own, *self.published_elsewhere.values(), dlq_topic(self.name)]))

    def topics(self) -> list[str]:
        """Every topic the service writes or reads, its dead-letter topic included: the
        processes of a deployment together create all topics up front (auto-creation is off)."""
        return list(dict.fromkeys([*self.written_topics(), *self.consumed_topics()]))


@dataclass
class ServiceRuntime:
    definition: ServiceDefinition
    settings: ServiceSettings
    broker: Broker
    clock: Clock = field(default_factory=SystemClock)
    after_db_commit: AfterCommit | None = None
    db: Database = field(init=False)
    relay: OutboxRelay = field(init=False)
    commands: CommandBus = field(init=False)
    consumers: list[Consumer] = field(init=False, default_factory=list)
    # Committed aggregates stay warm between units of work of this process.
    loader: AggregateLoader = field(
        init=False, default_factory=lambda: AggregateLoader(SqlEventStore(), AggregateCache())
    )
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)

    @property
    def name(self) -> str:
        return self.definition.name

    async def open(self) -> None:
        """Migrate (or check) the schema and connect; enough to serve commands and queries.

        Raises:
            MigrationError: `verify` mode and the schema is not at this version's revision.
        """
        url, schema = self.settings.database_url_for(self.name), self.settings.schema_for(self.name)
        history = migrations.has_history(self.name)
        if history and self.settings.migrations == "apply":
            await migrations.apply_at_start(url, schema=schema, service=self.name)
        elif history:
            await migrations.check_at_start(url, schema=schema, service=self.name)
        self.db = await connect(url, schema=schema, pool_size=self.settings.db_pool_size)
        if not history:
            # A definition outside the product (a test's) has no schema history: its tables are
            # created as they are. Every product service has one (tests/integration/
            # test_migrations.py compares each history with its tables).
            for owned in (tables.metadata, *self.definition.owned_tables()):
                await create_tables(self.db, owned)
        self.relay = OutboxRelay(
            db=self.db, publisher=self.broker.publisher(), service=self.name, clock=self.clock
        )
        self.commands = CommandBus(self.definition.commands, self.unit_of_work)

    async def current(self, cls: type[A], aggregate_id: str) -> A | None:
        """An aggregate as last committed, for reading (a singleton's settings, say)."""
        async with self.unit_of_work() as uow:
            return await uow.get(cls, aggregate_id)

    async def send(self, command: Command) -> Any:
        """The one way to act on the service: the command's handler, in its own transaction."""
        return await self.commands.send(command)

    async def start(self) -> None:
        """Run the outbox relay and every consumer in background tasks (after `open`)."""
        self._spawn(self.relay.run, "relay")
        for subscription in self.definition.subscriptions:
            member = self.broker.subscription(subscription.topics, group=self.name)
            consumer = self.consumer_for(subscription, member)
            self.consumers.append(consumer)
            self._spawn(consumer.run, f"consumer:{','.join(subscription.topics)}")
        # Every service's processes prune, at their own pace even when tests speed up the rest.
        retention = Schedule("retention", self.settings.retention.every, _prune, own_interval=True)
        self._start_schedules([*self.definition.schedules, retention])
        if self.consumers:
            self._spawn(self._sample_lag, "consumer-lag")

    @property
    def consumer_settings(self) -> ConsumerSettings:
        """The settings a consumer of this runtime runs with."""
        if self.db.dialect == "sqlite":
            # One writer at a time per file: concurrent lanes would only queue for the lock.
            return self.settings.consumer.model_copy(update={"lanes": 1})
        return self.settings.consumer

    def consumer_for(
        self,
        subscription: Subscriptions,
        member: Subscription,
        *,
        routes: Mapping[str, Route] | None = None,
        settings: ConsumerSettings | None = None,
    ) -> Consumer:
        """The consumer of `subscription` reading through `member` (its group's membership),
        with the subscription's routes and `consumer_settings` unless others are given."""
        return Consumer(
            group=self.name,
            subscription=member,
            dead_letters=self.broker.publisher(),
            routes=subscription.routes if routes is None else routes,
            unit_of_work=self.unit_of_work,
            settings=settings or self.consumer_settings,
            decode=subscription.decode,
            after_db_commit=self.after_db_commit,
        )

    async def _sample_lag(self) -> None:
        """Consumer lag on a timer of its own: true while a consumer idles or is stuck."""
        while True:
            total = 0
            for consumer in self.consumers:
                with contextlib.suppress(Exception):  # a broker hiccup: try again next time
                    total += await consumer.lag()
            LAG.labels(self.name).set(total)
            await asyncio.sleep(self.settings.schedule_interval_seconds or LAG_SECONDS)

    async def prune(self) -> Pruned:
        """Delete what the retention period lets go: the service's inbox rows, published
        outbox rows and old Idempotency-Key answers, and the local-log records of the topics it
        writes (shared/retention.py)."""
        retention = self.settings.retention
        now, size = self.clock.now(), retention.batch_size
        before = now - retention.period
        keys_before = now - retention.idempotency_keys
        pruned = Pruned(
            inbox=await in_batches(
                partial(prune_inbox, self.db, before=before, batch_size=size), size
            ),
            outbox=await in_batches(
                partial(prune_outbox, self.db, before=before, batch_size=size), size
            ),
            log=await self.broker.prune(
                self.definition.written_topics(), before=before, batch_size=size
            ),
            idempotency_keys=await in_batches(
                partial(prune_idempotency_keys, self.db, before=keys_before, batch_size=size),
                size,
            ),
        )
        for what, count in asdict(pruned).items():
            PRUNED.labels(self.name, what).inc(count)
        return pruned

    def start_http_schedules(self) -> None:
        """Only the schedules that keep this process's HTTP answers current (see `for_http`)."""
        self._start_schedules([s for s in self.definition.schedules if s.for_http])

    def _start_schedules(self, schedules: Sequence[Schedule]) -> None:
        for schedule in schedules:
            self._spawn(partial(self._every, schedule), f"schedule:{schedule.name}")

    async def _every(self, schedule: Schedule) -> None:
        interval = schedule.every.total_seconds()
        if self.settings.schedule_interval_seconds and not schedule.own_interval:
            interval = self.settings.schedule_interval_seconds
        while True:
            await asyncio.sleep(interval)
            await schedule.run(self)

    def _spawn(self, work: Callable[[], Awaitable[None]], label: str) -> None:
        name = f"{self.name}:{label}"
        self._tasks.append(asyncio.create_task(_supervised(work, name), name=name))

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(
            db=self.db,
            store=SqlEventStore(),
            source=self.name,
            topics=self.definition.topics_by_event_type,
            projections=(*self.definition.projections, *self.definition.outboxes),
            clock=self.clock,
            loader=self.loader,
            on_commit=self.relay.wake,
        )

    async def readiness(self) -> dict[str, bool]:
        try:
            async with self.db.transaction() as conn:
                await conn.fetchval("SELECT 1")
            database = True
        except Exception:
            database = False
        checks = {f"{self.name}.database": database}
        # One check per consumer: a service with several must report each, not the last one.
        for subscription, consumer in zip(
            self.definition.subscriptions, self.consumers, strict=False
        ):
            checks[f"{self.name}.consumer:{','.join(subscription.topics)}"] = (
                consumer.ready.is_set()
            )
        return checks

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self.db.close()


async def _prune(runtime: ServiceRuntime) -> None:
    await runtime.prune()


async def _supervised(work: Callable[[], Awaitable[None]], name: str) -> None:
    """Keep a background loop alive: log a crash, wait a little longer each time, start again."""
    backoff = 0.5
    while True:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("%s crashed; restarting in %.1fs", name, backoff)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, 30.0)


def runtime_of(service: str) -> Any:
    """A route's dependency on the runtime of the service it belongs to: the app holds every
    runtime it serves (one in scale-out, all of them in the embedded process), by name."""

    def current(request: Request) -> ServiceRuntime:
        runtime: ServiceRuntime = request.app.state.runtimes[service]
        return runtime

    return Depends(current)

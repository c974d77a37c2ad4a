"""One harness for every service's tests: its real runtime, fed events through its real consumer,
commands through `runtime.send`; its outbox read back and its HTTP API served in process."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Self
from uuid import uuid4

import httpx
from fastapi import FastAPI

from shared.auth import Principal
from shared.bus import OutgoingMessage, Record, Subscription
from shared.bus.memory import MemoryBroker
from shared.clock import Clock, FrozenClock
from shared.consumer import Consumer, Route
from shared.deadletter import REASON, dlq_topic
from shared.envelope import Envelope
from shared.messages import Command
from shared.runtime import ServiceDefinition, ServiceRuntime, Subscriptions
from shared.settings import ServiceSettings
from shared.testing.apps import app_for_tests
from shared.testing.builders import a_message
from shared.topics import events_topic
from shared.unit_of_work import UnitOfWork


@dataclass
class ServiceHarness:
    """A service's opened runtime (see `running`), driven as its neighbours would."""

    runtime: ServiceRuntime
    # A dead letter raises unless the service's tests look at dead letters themselves.
    raising: ClassVar[bool] = True

    @classmethod
    @asynccontextmanager
    async def running(
        cls,
        definition: ServiceDefinition,
        folder: Path,
        *,
        clock: Clock,
        postgres_dsn: str = "",
        broker: MemoryBroker | None = None,
        settings: ServiceSettings | None = None,
    ) -> AsyncIterator[Self]:
        """The runtime, opened with no background work running: on SQLite in `folder`, in a
        PostgreSQL schema of its own (dropped after), or on `settings`. Unless the test passes
        a `broker`, every record comes twice, so a handler that is not idempotent fails here."""
        own_schema = settings is None and bool(postgres_dsn)
        settings = settings or ServiceSettings(
            data_dir=folder,
            database_url=postgres_dsn,
            namespace=f"t{uuid4().hex[:10]}" if own_schema else "",
            schedule_interval_seconds=0.02,  # for a test that starts the background work
        )
        broker = broker or MemoryBroker(redeliver=True)
        runtime = ServiceRuntime(definition, settings, broker, clock=clock)
        await runtime.open()
        try:
            yield cls(runtime)
        finally:
            if own_schema:
                async with runtime.db.transaction() as conn:
                    schema = settings.schema_for(definition.name)
                    await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await runtime.stop()

    @property
    def broker(self) -> MemoryBroker:
        assert isinstance(self.runtime.broker, MemoryBroker), "tests run on the in-memory bus"
        return self.runtime.broker

    @property
    def clock(self) -> FrozenClock:
        assert isinstance(self.runtime.clock, FrozenClock), "this test runs on a moving clock"
        return self.runtime.clock

    async def consume(self, *events: Envelope | OutgoingMessage, topic: str | None = None) -> None:
        """Events through the consumer of each subscription, in batches as fetched: envelopes on
        `topic` or their source's, or messages as they lie on a bus (dead letters, say). They go
        on a bus of their own, so deliveries running at once never share a batch; a dead letter
        (on the service's bus) raises the handler's error, or the consumer's reason."""
        bus = MemoryBroker(redeliver=self.broker.redeliver)
        await bus.publish([self._message(event, topic) for event in events])
        dead_before = len(self.dead_letters())
        failures: list[Exception] = []
        for subscription in self.runtime.definition.subscriptions:
            member = bus.subscription(subscription.topics, group=self.runtime.name)
            await member.start()
            consumer = self._consumer(subscription, member, failures)
            batch_size = self.runtime.settings.consumer.batch_size
            while records := await member.fetch(max_records=batch_size, timeout_ms=0):
                await consumer.process(records)
        if self.raising and (dead := self.dead_letters()[dead_before:]):
            raise failures[-1] if failures else AssertionError([d.header(REASON) for d in dead])

    def dead_letters(self) -> list[Record]:
        return self.broker.topics.get(dlq_topic(self.runtime.name), [])

    async def send(self, command: Command) -> Any:
        return await self.runtime.send(command)

    async def outbox(self, *event_types: str) -> list[tuple[str, Envelope]]:
        """(topic, envelope) of each message queued so far, oldest first, of the given types."""
        async with self.runtime.db.transaction() as conn:
            rows = await conn.fetch("SELECT topic, payload FROM outbox_message ORDER BY id")
        queued = [(row["topic"], Envelope.from_json(row["payload"])) for row in rows]
        return [(t, e) for t, e in queued if not event_types or e.event_type in event_types]

    def app(self, keys: Mapping[str, Principal]) -> FastAPI:
        """The service's routes behind the real app factory, each key acting as its principal."""
        runtime = self.runtime
        return app_for_tests(
            runtime.name,
            runtime.definition.routers,
            keys,
            readiness=runtime.readiness,
            runtimes={runtime.name: runtime},
        )

    def http_client(self, keys: Mapping[str, Principal]) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app(keys))
        return httpx.AsyncClient(transport=transport, base_url=f"http://{self.runtime.name}")

    def _message(self, event: Envelope | OutgoingMessage, topic: str | None) -> OutgoingMessage:
        if isinstance(event, OutgoingMessage):
            return event
        subscriptions = self.runtime.definition.subscriptions
        routing = [s for s in subscriptions if event.event_type in s.routes]
        # What no route takes may come on any topic: the consumer ignores it.
        topics = (routing or subscriptions)[0].topics
        source_topic = events_topic(event.source)
        return a_message(topic or (source_topic if source_topic in topics else topics[0]), event)

    def _consumer(
        self, subscription: Subscriptions, member: Subscription, failures: list[Exception]
    ) -> Consumer:
        """As the runtime builds it, but failing handlers dead-letter at once, errors kept."""
        settings = self.runtime.consumer_settings.model_copy(update={"handler_attempts": 1})
        routes = {t: _failures_kept(route, failures) for t, route in subscription.routes.items()}
        return self.runtime.consumer_for(subscription, member, routes=routes, settings=settings)


def _failures_kept(route: Route, failures: list[Exception]) -> Route:
    async def handle(event: Any, envelope: Envelope, uow: UnitOfWork) -> None:
        try:
            await route.handle(event, envelope, uow)
        except Exception as error:
            failures.append(error)
            raise

    return replace(route, handle=handle)


def authorized(key: str, **headers: str) -> dict[str, str]:
    """Headers sending `key` and, as a careful integrator does, a fresh Idempotency-Key."""
    return {"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid4()), **headers}

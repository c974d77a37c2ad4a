"""Runs one service's real runtime on SQLite for handler tests: deliver events, read its outbox."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx

from shared.auth import Principal, Role
from shared.bus import Record
from shared.bus.memory import MemoryBroker
from shared.clock import Clock, FrozenClock
from shared.consumer import Consumer
from shared.envelope import Envelope
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.settings import ConsumerSettings, ServiceSettings
from shared.testing.apps import app_for_tests
from shared.testing.builders import an_envelope

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class Outgoing:
    topic: str
    event_type: str
    data: dict[str, Any]
    correlation_id: str


@dataclass
class Harness:
    runtime: ServiceRuntime
    broker: MemoryBroker
    clock: Clock

    def consumer(self) -> Consumer:
        [subscription] = self.runtime.definition.subscriptions
        return Consumer(
            group=self.runtime.name,
            subscription=self.broker.subscription(subscription.topics, group=self.runtime.name),
            dead_letters=self.broker.publisher(),
            routes=subscription.routes,
            unit_of_work=self.runtime.unit_of_work,
            settings=ConsumerSettings(handler_attempts=1, retry_initial_seconds=0.001),
        )

    async def deliver(
        self, topic: str, event_type: str, data: dict[str, Any], *, order_id: UUID | None = None
    ) -> None:
        """One message through the real consumer path: decode, inbox, handler, projections."""
        envelope = an_envelope(
            event_type=event_type, data=data, correlation_id=order_id or uuid4(), source="test"
        )
        record = Record(topic=topic, partition=0, offset=0, key=None, value=envelope.to_json())
        await self.consumer().process([record])

    def dead_letters(self) -> list[Record]:
        return self.broker.topics.get(f"{self.runtime.name}.dlq", [])

    async def outgoing(self) -> list[Outgoing]:
        """Every message queued in the outbox so far, oldest first."""
        async with self.runtime.db.transaction() as conn:
            rows = await conn.fetch("SELECT topic, payload FROM outbox_message ORDER BY id")
        messages = []
        for row in rows:
            envelope = Envelope.from_json(row["payload"])
            data, correlation = envelope.data, str(envelope.correlation_id)
            messages.append(Outgoing(row["topic"], envelope.event_type, data, correlation))
        return messages

    async def outgoing_types(self) -> list[tuple[str, str]]:
        return [(m.topic, m.event_type) for m in await self.outgoing()]


@asynccontextmanager
async def harness(
    definition: ServiceDefinition,
    folder: Path,
    *,
    clock: Clock | None = None,
    broker: MemoryBroker | None = None,
    postgres_dsn: str = "",
) -> AsyncIterator[Harness]:
    """The service's runtime, opened (tables created) but with no background work running: on
    SQLite in `folder`, or in a PostgreSQL schema of its own (dropped after)."""
    clock = clock or FrozenClock(NOW)
    broker = broker or MemoryBroker()
    settings = ServiceSettings(
        data_dir=folder,
        database_url=postgres_dsn,
        namespace=f"t{uuid4().hex[:10]}" if postgres_dsn else "",
        schedule_interval_seconds=0.02,
    )
    runtime = ServiceRuntime(definition, settings, broker, clock=clock)
    await runtime.open()
    try:
        yield Harness(runtime, broker, clock)
    finally:
        if postgres_dsn:
            async with runtime.db.transaction() as conn:
                schema = settings.schema_for(definition.name)
                await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await runtime.stop()


STAFF_KEY = "gk_staff_test"
OPS_KEY = "gk_ops_test"


def http_client(harness: Harness) -> httpx.AsyncClient:
    """The service's routes behind the real app factory (auth, problem+json), in process."""

    runtime = harness.runtime
    keys = {STAFF_KEY: Principal("staff", Role.STAFF), OPS_KEY: Principal("ops", Role.OPS)}
    app = app_for_tests(runtime.name, runtime.definition.routers(runtime), keys)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def as_ops() -> dict[str, str]:
    """Ops headers; a fresh Idempotency-Key each time, as a careful integrator sends."""
    return {"Authorization": f"Bearer {OPS_KEY}", "Idempotency-Key": str(uuid4())}


def as_staff() -> dict[str, str]:
    return {"Authorization": f"Bearer {STAFF_KEY}", "Idempotency-Key": str(uuid4())}

"""Runs one service's real runtime for handler tests: deliver events, read its outbox."""

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from shared.auth import Principal, Role
from shared.bus.memory import MemoryBroker
from shared.clock import Clock, FrozenClock
from shared.runtime import ServiceDefinition
from shared.testing.builders import an_envelope
from shared.testing.harness import ServiceHarness, authorized

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
STAFF_KEY = "gk_staff_test"
OPS_KEY = "gk_ops_test"


@dataclass
class Outgoing:
    topic: str
    event_type: str
    data: dict[str, Any]
    correlation_id: str


class Harness(ServiceHarness):
    raising = False  # a handler's failure is left in `dead_letters()`

    async def deliver(
        self, topic: str, event_type: str, data: dict[str, Any], *, order_id: UUID | None = None
    ) -> None:
        """One message through the real consumer path: decode, inbox, handler, projections."""
        envelope = an_envelope(event_type=event_type, data=data, correlation_id=order_id)
        await self.consume(envelope, topic=topic)

    async def outgoing(self) -> list[Outgoing]:
        """Every message queued in the outbox so far, oldest first."""
        return [
            Outgoing(topic, e.event_type, e.data, str(e.correlation_id))
            for topic, e in await self.outbox()
        ]

    async def outgoing_types(self) -> list[tuple[str, str]]:
        return [(m.topic, m.event_type) for m in await self.outgoing()]


def harness(
    definition: ServiceDefinition,
    folder: Path,
    *,
    clock: Clock | None = None,
    broker: MemoryBroker | None = None,
    postgres_dsn: str = "",
) -> AbstractAsyncContextManager[Harness]:
    """The service's runtime on SQLite in `folder` or a PostgreSQL schema of its own, on a bus
    that delivers each record once (the tests count dead letters)."""
    clock, broker = clock or FrozenClock(NOW), broker or MemoryBroker()
    return Harness.running(
        definition, folder, clock=clock, broker=broker, postgres_dsn=postgres_dsn
    )


def http_client(harness: Harness) -> httpx.AsyncClient:
    """The service's routes behind the real app factory (auth, problem+json), in process."""
    keys = {STAFF_KEY: Principal("staff", Role.STAFF), OPS_KEY: Principal("ops", Role.OPS)}
    return harness.http_client(keys)


as_ops = partial(authorized, OPS_KEY)
as_staff = partial(authorized, STAFF_KEY)

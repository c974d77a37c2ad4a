"""Inventory test harness: the service on SQLite, fed through the real consumer runtime."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from inventory_builders import NOW

from services.inventory import views
from services.inventory.commands import ReceiveStock
from services.inventory.service import DEFINITION
from shared.bus.memory import MemoryBroker
from shared.clock import FrozenClock
from shared.consumer import Consumer
from shared.envelope import Envelope
from shared.runtime import ServiceRuntime
from shared.settings import ConsumerSettings, ServiceSettings
from shared.testing.builders import a_message

SOURCE_TOPICS = {
    "order": "order.events",
    "fulfillment": "fulfillment.events",
    "andon": "andon.events",
}


def an_inbound(event_type: str, data: dict[str, Any], *, source: str = "order") -> Envelope:
    order_id = data.get("order_id")
    return Envelope(
        event_id=uuid4(),
        event_type=event_type,
        event_version=1,
        source=source,
        aggregate_id=str(order_id or data.get("sku") or data.get("pull_id")),
        aggregate_version=1,
        occurred_at=NOW,
        correlation_id=UUID(order_id) if order_id else uuid4(),
        causation_id=None,
        data=data,
    )


class Inventory:
    """Deliver events as the consumer group would (batches, inbox, delivered twice)."""

    def __init__(self, runtime: ServiceRuntime, broker: MemoryBroker) -> None:
        self.runtime = runtime
        self.broker = broker
        [subscription] = DEFINITION.subscriptions
        self.subscription = broker.subscription(subscription.topics, group="inventory")
        self.consumer = Consumer(
            group="inventory",
            subscription=self.subscription,
            dead_letters=broker.publisher(),
            routes=subscription.routes,
            unit_of_work=runtime.unit_of_work,
            settings=ConsumerSettings(handler_attempts=1, retry_initial_seconds=0.001),
        )

    @property
    def clock(self) -> FrozenClock:
        assert isinstance(self.runtime.clock, FrozenClock)
        return self.runtime.clock

    async def deliver(self, *envelopes: Envelope) -> None:
        await self.broker.publish([a_message(SOURCE_TOPICS[e.source], e) for e in envelopes])
        await self.subscription.start()
        records = await self.subscription.fetch(max_records=1000, timeout_ms=1)
        await self.consumer.process(records)

    async def place(
        self,
        lines: dict[str, int],
        *,
        priority: int = 1,
        deadline_in: timedelta = timedelta(hours=4),
        protection_floor: int = 0,
    ) -> UUID:
        order_id = uuid4()
        data = {
            "order_id": str(order_id),
            "lines": [
                {"sku": sku, "quantity": q, "unit_price_cents": 100} for sku, q in lines.items()
            ],
            "priority": priority,
            "deadline": (self.clock.now() + deadline_in).isoformat(),
            "protection_floor": protection_floor,
        }
        await self.deliver(an_inbound("OrderPlaced", data))
        return order_id

    async def receive(self, sku: str, quantity: int) -> None:
        await self.runtime.send(ReceiveStock(sku=sku, quantity=quantity))

    async def level(self, sku: str) -> dict[str, Any]:
        async with self.runtime.db.transaction() as conn:
            level = await views.stock_level(conn, sku)
        assert level is not None, f"{sku} is unknown to the inventory"
        return level.model_dump(mode="json")

    async def backorders(self, sku: str) -> list[dict[str, Any]]:
        async with self.runtime.db.transaction() as conn:
            return [b.model_dump(mode="json") for b in await views.backorders(conn, sku)]

    async def published(self, *event_types: str) -> list[Envelope]:
        """Envelopes queued for `inventory.events`, oldest first, of the given types."""
        async with self.runtime.db.transaction() as conn:
            rows = await conn.fetch("SELECT topic, payload FROM outbox_message ORDER BY id")
        assert {row["topic"] for row in rows} <= {"inventory.events"}
        envelopes = [Envelope.from_json(row["payload"]) for row in rows]
        return [e for e in envelopes if not event_types or e.event_type in event_types]


@asynccontextmanager
async def running_inventory(folder: Path, *, postgres_dsn: str = "") -> AsyncIterator[Inventory]:
    """On SQLite in `folder`, or in a PostgreSQL schema of its own (dropped after)."""
    namespace = f"t{uuid4().hex[:10]}" if postgres_dsn else ""
    url = postgres_dsn or f"sqlite:///{folder / 'inventory.db'}"
    settings = ServiceSettings(database_url=url, data_dir=folder, namespace=namespace)
    broker = MemoryBroker(redeliver=True)
    runtime = ServiceRuntime(DEFINITION, settings, broker, clock=FrozenClock(NOW))
    await runtime.open()
    try:
        yield Inventory(runtime, broker)
    finally:
        if postgres_dsn:
            async with runtime.db.transaction() as conn:
                await conn.execute(f'DROP SCHEMA "{settings.schema_for("inventory")}" CASCADE')
        await runtime.stop()

"""Inventory test harness: the service on SQLite or PostgreSQL, fed through its real consumer."""

from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from inventory_builders import NOW

from services.inventory import views
from services.inventory.commands import ReceiveStock
from services.inventory.service import DEFINITION
from shared.auth import Principal, Role
from shared.clock import FrozenClock
from shared.envelope import Envelope
from shared.testing.builders import an_envelope
from shared.testing.harness import ServiceHarness

# Who the API answers to in these tests, by bearer key.
KEYS = {
    "ops-key": Principal("ops", Role.OPS),
    "staff-key": Principal("staff", Role.STAFF),
    "channel-key": Principal("shop", Role.CHANNEL),
}


def an_inbound(event_type: str, data: dict[str, Any], *, source: str = "order") -> Envelope:
    order_id = data.get("order_id")
    return an_envelope(
        event_type=event_type,
        data=data,
        source=source,
        aggregate_id=str(order_id or data.get("sku") or data.get("pull_id")),
        occurred_at=NOW,
        correlation_id=UUID(order_id) if order_id else None,
    )


class Inventory(ServiceHarness):
    """Its neighbours' events delivered as batches (inbox, each record twice); its shortcuts."""

    async def deliver(self, *envelopes: Envelope) -> None:
        await self.consume(*envelopes)

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
        await self.send(ReceiveStock(sku=sku, quantity=quantity))

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
        assert {topic for topic, _ in await self.outbox()} <= {"inventory.events"}
        return [envelope for _, envelope in await self.outbox(*event_types)]


def running_inventory(
    folder: Path, *, postgres_dsn: str = ""
) -> AbstractAsyncContextManager[Inventory]:
    """On SQLite in `folder`, or in a PostgreSQL schema of its own (dropped after)."""
    return Inventory.running(DEFINITION, folder, clock=FrozenClock(NOW), postgres_dsn=postgres_dsn)

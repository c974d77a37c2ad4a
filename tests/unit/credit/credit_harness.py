"""Credit test harness: deliver events through its real consumer, then read the results."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from fastapi import FastAPI

from services.credit import views
from shared.auth import Principal, Role
from shared.envelope import Envelope
from shared.paging import PageQuery, Where, fetch
from shared.runtime import ServiceRuntime
from shared.testing.builders import an_envelope
from shared.testing.harness import ServiceHarness

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
KEYS = {
    "ops-key": Principal("ops-anna", Role.OPS),
    "staff-key": Principal("staff-ben", Role.STAFF),
    "channel-key": Principal("demo-shop", Role.CHANNEL),
}


def an_inbound(
    event_type: str,
    data: dict[str, Any],
    *,
    correlation_id: UUID | None = None,
    source: str = "order",
) -> Envelope:
    return an_envelope(
        event_type=event_type,
        data=data,
        source=source,
        aggregate_id=str(data.get("order_id") or data.get("customer_id")),
        occurred_at=NOW,
        correlation_id=correlation_id or UUID(str(data.get("order_id") or uuid4())),
    )


class CreditService(ServiceHarness):
    """Events delivered through its consumer, and what came out: published events, read models."""

    async def deliver(self, envelope: Envelope) -> Envelope:
        """Apply one event a second after the previous one (so review times tell their order)."""
        self.clock.advance(timedelta(seconds=1))
        await self.consume(envelope)
        return envelope

    async def customer_defined(
        self, customer_id: str, light: str, *, limit: int = 100_000, threshold: int = 50_000
    ) -> Envelope:
        data = {
            "customer_id": customer_id,
            "name": f"Customer {customer_id}",
            "credit_light": light,
            "credit_limit_cents": limit,
            "review_threshold_cents": threshold,
            "tier": "regular",
        }
        return await self.deliver(an_inbound("CustomerDefined", data, correlation_id=uuid4()))

    async def order_placed(
        self, customer_id: str, total: int, order_id: UUID | None = None
    ) -> UUID:
        order_id = order_id or uuid4()
        data = {
            "order_id": str(order_id),
            "customer_id": customer_id,
            "channel": "demo-shop",
            "external_id": "ext-1",
            "lines": [{"sku": "SKU-1", "quantity": 1, "unit_price_cents": total}],
            "total_cents": total,
        }
        await self.deliver(an_inbound("OrderPlaced", data))
        return order_id

    async def published(self) -> list[tuple[str, dict[str, Any]]]:
        """(event type, data) of every event queued for `credit.events`, oldest first."""
        return [(e.event_type, e.data) for _, e in await self.outbox()]

    async def published_envelopes(self) -> list[dict[str, Any]]:
        return [e.to_cloudevent() for _, e in await self.outbox()]

    async def account(self, customer_id: str) -> dict[str, Any]:
        async with self.runtime.db.transaction() as conn:
            found = await views.account(conn, customer_id)
        return found.model_dump(mode="json")

    async def reviews(self, *, open_only: bool = True) -> list[dict[str, Any]]:
        async with self.runtime.db.transaction() as conn:
            where = Where().equal("r.status", "open" if open_only else None, param="open")
            found = await fetch(conn, views.REVIEWS, where, PageQuery())
        return [dict(row) for row in found.rows]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def credit_app(runtime: ServiceRuntime) -> FastAPI:
    return ServiceHarness(runtime).app(KEYS)

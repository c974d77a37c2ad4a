"""The andon service on a real SQLite file: facts delivered as its consumers would, and its API."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from fastapi import FastAPI

from services.andon.service import DEFINITION
from shared.auth import Principal, Role
from shared.bus.memory import MemoryBroker
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.testing.apps import app_for_tests
from shared.testing.builders import an_envelope

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
KEYS = {"staff-key": Principal("mia", Role.STAFF), "ops-key": Principal("otto", Role.OPS)}
ROUTES = {t: r for s in DEFINITION.subscriptions for t, r in s.routes.items()}


def auth(key: str) -> dict[str, str]:
    """A fresh Idempotency-Key with each request, as a careful integrator sends."""
    return {"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid4())}


@asynccontextmanager
async def andon_service(folder: Any, *, postgres_dsn: str = "") -> AsyncIterator[ServiceRuntime]:
    """The service on SQLite in `folder`, or in a PostgreSQL schema of its own (dropped after)."""
    settings = ServiceSettings(
        data_dir=folder,
        database_url=postgres_dsn,
        namespace=f"t{uuid4().hex[:10]}" if postgres_dsn else "",
    )
    runtime = ServiceRuntime(DEFINITION, settings, MemoryBroker(), clock=FrozenClock(NOW))
    await runtime.open()
    try:
        yield runtime
    finally:
        if postgres_dsn:
            async with runtime.db.transaction() as conn:
                await conn.execute(f'DROP SCHEMA "{settings.schema_for("andon")}" CASCADE')
        await runtime.db.close()


def andon_app(runtime: ServiceRuntime) -> FastAPI:
    return app_for_tests("andon", DEFINITION.routers(runtime), KEYS)


def clock_of(runtime: ServiceRuntime) -> FrozenClock:
    assert isinstance(runtime.clock, FrozenClock)
    return runtime.clock


async def deliver(runtime: ServiceRuntime, event_type: str, data: dict[str, Any]) -> None:
    """Another service's event, handled as the consumer would (inbox claim included)."""
    route = ROUTES[event_type]
    order_id = data.get("order_id")
    envelope = an_envelope(
        event_type=event_type,
        data=data,
        occurred_at=runtime.clock.now(),
        correlation_id=UUID(order_id) if order_id else None,
    )
    async with runtime.unit_of_work() as uow:
        assert await uow.claim(consumer="andon", message_id=str(envelope.event_id))
        await route.handle(route.model.model_validate(data), envelope, uow)
        await uow.commit()


async def define(
    runtime: ServiceRuntime, *, skus: tuple[str, ...] = (), customers: tuple[str, ...] = ()
) -> None:
    """Master data as the order service publishes it: the targets a pull may name."""
    for sku in skus:
        await deliver(runtime, "ItemDefined", {"sku": sku, "name": sku, "unit_price_cents": 100})
    for customer in customers:
        await deliver(runtime, "CustomerDefined", {"customer_id": customer, "name": customer})


async def place(
    runtime: ServiceRuntime,
    *,
    customer: str = "acme",
    lines: dict[str, int] | None = None,
    deadline_minutes: int = 60,
) -> str:
    """An order of a defined customer and SKUs (defined here, as before any real order)."""
    order_id = str(uuid4())
    lines = lines or {"RETRO-CLOCK": 1}
    await define(runtime, skus=tuple(lines), customers=(customer,))
    await deliver(
        runtime,
        "OrderPlaced",
        {
            "order_id": order_id,
            "customer_id": customer,
            "lines": [
                {"sku": sku, "quantity": q, "unit_price_cents": 100} for sku, q in lines.items()
            ],
            "deadline": (runtime.clock.now() + timedelta(minutes=deadline_minutes)).isoformat(),
            "backorder_rule": "ship_partial",
            "segment": "AA",
        },
    )
    return order_id


async def answer_all(runtime: ServiceRuntime, order_id: str, skus: dict[str, int]) -> None:
    await deliver(runtime, "CreditApproved", {"order_id": order_id, "amount_cents": 100})
    for sku, quantity in skus.items():
        await deliver(
            runtime,
            "StockReserved",
            {"order_id": order_id, "sku": sku, "quantity": quantity, "reserved_total": quantity},
        )


async def published(runtime: ServiceRuntime, event_type: str) -> list[dict[str, Any]]:
    async with runtime.db.transaction() as conn:
        rows = await conn.fetch(
            "SELECT payload FROM outbox_message WHERE event_type = $1 ORDER BY id", event_type
        )
    return [json.loads(row["payload"])["data"] for row in rows]


async def holds(runtime: ServiceRuntime, order_id: str) -> list[str]:
    async with runtime.db.transaction() as conn:
        rows = await conn.fetch("SELECT hold FROM order_hold WHERE order_id = $1", order_id)
    return [row["hold"] for row in rows]

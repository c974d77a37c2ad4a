"""The andon service on a real SQLite file: facts delivered through its consumers, and its API."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx

from services.andon.service import DEFINITION
from shared.auth import Principal, Role
from shared.bus import OutgoingMessage, Record
from shared.clock import FrozenClock
from shared.deadletter import DEAD_LETTERED, dead_letter
from shared.runtime import ServiceRuntime
from shared.testing.builders import an_envelope
from shared.testing.harness import ServiceHarness, authorized

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
KEYS = {"staff-key": Principal("mia", Role.STAFF), "ops-key": Principal("otto", Role.OPS)}
auth = authorized


@asynccontextmanager
async def andon_service(folder: Any, *, postgres_dsn: str = "") -> AsyncIterator[ServiceRuntime]:
    """The service on SQLite in `folder`, or in a PostgreSQL schema of its own (dropped after)."""
    async with ServiceHarness.running(
        DEFINITION, folder, clock=FrozenClock(NOW), postgres_dsn=postgres_dsn
    ) as service:
        yield service.runtime


def andon_client(runtime: ServiceRuntime) -> httpx.AsyncClient:
    """The service's API in process, answering to the keys in `KEYS`."""
    return ServiceHarness(runtime).http_client(KEYS)


def clock_of(runtime: ServiceRuntime) -> FrozenClock:
    return ServiceHarness(runtime).clock


async def deliver(runtime: ServiceRuntime, event_type: str, data: dict[str, Any]) -> None:
    """Another service's event through andon's consumers (inbox claim included)."""
    if event_type == DEAD_LETTERED:
        await ServiceHarness(runtime).consume(_dead_letter(data))
        return
    order_id = data.get("order_id")
    envelope = an_envelope(
        event_type=event_type,
        data=data,
        occurred_at=runtime.clock.now(),
        correlation_id=UUID(order_id) if order_id else None,
    )
    await ServiceHarness(runtime).consume(envelope)


def _dead_letter(data: dict[str, Any]) -> OutgoingMessage:
    """What the failing group put on its dead-letter topic, which andon reads back as `data`."""
    at = (data["origin_topic"], data["origin_partition"], data["origin_offset"])
    origin = Record(*at, key=None, value=data["payload_excerpt"].encode())
    return dead_letter(origin, group=data["group"], reason=data["reason"], error=data["error"])


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
    return [envelope.data for _, envelope in await ServiceHarness(runtime).outbox(event_type)]


async def holds(runtime: ServiceRuntime, order_id: str) -> list[str]:
    async with runtime.db.transaction() as conn:
        rows = await conn.fetch("SELECT hold FROM order_hold WHERE order_id = $1", order_id)
    return [row["hold"] for row in rows]

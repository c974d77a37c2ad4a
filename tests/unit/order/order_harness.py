"""The order service on a real SQLite file, driven through its commands, consumer and API."""

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from order_builders import NOW, SHIP_TO

from services.order.commands import DefineCustomer, DefineItem, PlaceOrder, RequestedLine
from services.order.handlers import Accepted
from services.order.service import DEFINITION
from services.order.views import queries
from shared.auth import Principal, Role
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.testing.builders import an_envelope
from shared.testing.harness import ServiceHarness, authorized

KEYS = {"shop": Role.CHANNEL, "other-shop": Role.CHANNEL, "staff": Role.STAFF, "ops": Role.OPS}


@asynccontextmanager
async def order_service(
    folder: Path, clock: FrozenClock | None = None, *, settings: ServiceSettings | None = None
) -> AsyncIterator[ServiceRuntime]:
    """On a SQLite file in `folder`, or on the database `settings` name."""
    clock = clock or FrozenClock(NOW)
    running = ServiceHarness.running(DEFINITION, folder, clock=clock, settings=settings)
    async with running as service:
        yield service.runtime


async def define(
    runtime: ServiceRuntime,
    *,
    customer: str = "acme",
    light: str = "green",
    tier: str = "regular",
    items: Sequence[tuple[str, int]] = (("CLOCK", 1_000), ("LAMP", 500)),
) -> None:
    await runtime.send(
        DefineCustomer(
            customer_id=customer,
            name=customer.title(),
            credit_light=light,
            credit_limit_cents=1_000_000,
            review_threshold_cents=100_000,
            tier=tier,
        )
    )
    for sku, price in items:
        command = DefineItem(sku=sku, name=sku.title(), unit_price_cents=price, reorder_point=3)
        await runtime.send(command)


def a_place_command(
    customer: str = "acme",
    lines: Sequence[tuple[str, int]] = (("CLOCK", 2),),
    *,
    key: str | None = None,
    channel: str = "shop",
) -> PlaceOrder:
    requested = tuple(RequestedLine(sku=sku, quantity=quantity) for sku, quantity in lines)
    key = key or str(uuid4())
    return PlaceOrder(
        order_id=uuid4(),
        channel=channel,
        idempotency_key=key,
        request_hash=json.dumps([customer, list(lines)]),
        customer_id=customer,
        external_id=f"ext-{key}",
        lines=requested,
        ship_to=SHIP_TO,
        received_at=NOW,
    )


async def place(runtime: ServiceRuntime, command: PlaceOrder) -> UUID:
    received = command.model_copy(update={"received_at": runtime.clock.now()})
    accepted: Accepted = await runtime.send(received)
    return accepted.order_id


async def deliver(
    runtime: ServiceRuntime, event_type: str, data: dict[str, Any], **envelope: Any
) -> None:
    """An event of another service, through the consumer (inbox claim included); `envelope`
    sets fields of its envelope (`aggregate_id`, `aggregate_version`)."""
    await deliver_batch(runtime, [(event_type, data, envelope)])


async def deliver_batch(
    runtime: ServiceRuntime, events: Sequence[tuple[str, dict[str, Any], dict[str, Any]]]
) -> None:
    """Events (type, data, envelope fields) consumed as one batch."""
    envelopes = [an_envelope(event_type=t, data=d, occurred_at=NOW, **f) for t, d, f in events]
    await ServiceHarness(runtime).consume(*envelopes)


async def published(runtime: ServiceRuntime, event_type: str) -> list[dict[str, Any]]:
    return [envelope.data for _, envelope in await ServiceHarness(runtime).outbox(event_type)]


async def details(runtime: ServiceRuntime, order_id: UUID) -> dict[str, Any]:
    async with runtime.db.transaction() as conn:
        found = await queries.order_details(conn, order_id)
    assert found is not None
    return found.model_dump(mode="json")


def http_client(runtime: ServiceRuntime) -> httpx.AsyncClient:
    """The order API in process, with a key per name in KEYS (`auth(name)` sends it)."""
    keys = {f"key-{name}": Principal(name, role) for name, role in KEYS.items()}
    return ServiceHarness(runtime).http_client(keys)


def auth(name: str, **headers: str) -> dict[str, str]:
    """A fresh Idempotency-Key with each request unless the test names one."""
    return authorized(f"key-{name}", **headers)

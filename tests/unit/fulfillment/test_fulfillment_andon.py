"""Andon reactions through the real consumer path on SQLite: pulls hold waiting shipments."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.fulfillment import views
from services.fulfillment.commands import ReleasePickWave
from services.fulfillment.domain import shipment_id_for
from services.fulfillment.service import DEFINITION
from shared.paging import PageQuery, Where
from shared.replay import rebuild_read_models
from tests.unit.fulfillment.builders import ORDER_EVENTS, released
from tests.unit.fulfillment.harness import Harness, as_staff, harness, http_client

ANDON_EVENTS = "andon.events"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
async def service(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """Every test on both runtimes' databases (PostgreSQL only where its server runs)."""
    dsn = request.getfixturevalue("postgres_dsn") if request.param == "postgres" else ""
    async with harness(DEFINITION, tmp_path, postgres_dsn=dsn) as running:
        yield running


async def release(
    service: Harness, *, customer_id: str = "acme", skus: tuple[str, ...] = ("TEAPOT",)
) -> UUID:
    order_id = uuid4()
    data = released(order_id) | {"customer_id": customer_id}
    data["lines"] = [{"sku": sku, "quantity": 1, "unit_price_cents": 100} for sku in skus]
    await service.deliver(ORDER_EVENTS, "OrderReleased", data, order_id=order_id)
    return order_id


async def pull(service: Harness, kind: str, target_id: str, pull_id: UUID | None = None) -> UUID:
    pull_id = pull_id or uuid4()
    data = {"pull_id": str(pull_id), "target_kind": kind, "target_id": target_id}
    await service.deliver(ANDON_EVENTS, "AndonPulled", data | {"reason": "cracked"})
    return pull_id


async def resolve(service: Harness, pull_id: UUID, kind: str, target_id: str) -> None:
    data = {"pull_id": str(pull_id), "target_kind": kind, "target_id": target_id}
    await service.deliver(ANDON_EVENTS, "AndonResolved", data | {"root_cause": "bad batch"})


async def wave(service: Harness) -> set[str]:
    """Run a pick wave; the orders it sent to the WMS."""
    before = len(await service.outgoing())
    await service.runtime.send(ReleasePickWave())
    return {m.data["order_id"] for m in (await service.outgoing())[before:]}


async def shipment(service: Harness, order_id: UUID) -> dict[str, Any]:
    async with service.runtime.db.transaction() as conn:
        [found] = (
            await views.shipments.shipments(
                conn, Where().equal("order_id", str(order_id)), PageQuery()
            )
        ).rows
    return found.model_dump(mode="json")


async def published(service: Harness, event_type: str) -> list[tuple[str, str]]:
    """(order id, pull id) of each such event, with its topic and key checked."""
    found = [m for m in await service.outgoing() if m.event_type == event_type]
    assert all(m.topic == "fulfillment.events" for m in found)
    assert all(m.correlation_id == m.data["order_id"] for m in found)
    return [(m.data["order_id"], m.data["pull_id"]) for m in found]


async def test_a_sku_pull_holds_waiting_shipments_with_it_and_the_wave_skips_them(
    service: Harness,
) -> None:
    at_the_wms = await release(service, skus=("TEAPOT",))
    await wave(service)
    with_sku = await release(service, skus=("TEAPOT", "DESK-FAN"))
    without = await release(service, skus=("DESK-FAN",))

    pull_id = await pull(service, "sku", "TEAPOT")

    assert await wave(service) == {str(without)}
    assert await published(service, "ShipmentHeld") == [(str(with_sku), str(pull_id))]
    assert (await shipment(service, with_sku))["held_by"] == [str(pull_id)]
    assert (await shipment(service, at_the_wms))["status"] == "picking"  # not recalled in v1


async def test_resolving_the_pull_lifts_the_hold_and_the_next_wave_picks_the_shipment(
    service: Harness,
) -> None:
    order_id = await release(service)
    pull_id = await pull(service, "sku", "TEAPOT")
    assert await wave(service) == set()

    await resolve(service, pull_id, "sku", "TEAPOT")

    assert await published(service, "ShipmentHoldLifted") == [(str(order_id), str(pull_id))]
    assert await wave(service) == {str(order_id)}
    assert (await shipment(service, order_id))["held_by"] == []


async def test_an_order_pull_holds_only_that_orders_shipments(service: Harness) -> None:
    held, other = await release(service), await release(service)

    pull_id = await pull(service, "order", str(held).upper())

    assert await wave(service) == {str(other)}
    await resolve(service, pull_id, "order", str(held).upper())
    assert await wave(service) == {str(held)}


async def test_a_customer_pull_holds_only_that_customers_shipments(service: Harness) -> None:
    held = await release(service, customer_id="globex")
    other = await release(service, customer_id="acme")

    pull_id = await pull(service, "customer", "globex")

    assert await wave(service) == {str(other)}
    await resolve(service, pull_id, "customer", "globex")
    assert await wave(service) == {str(held)}


async def test_a_step_pull_holds_nothing(service: Harness) -> None:
    order_id = await release(service)

    await pull(service, "step", "inventory")

    assert await wave(service) == {str(order_id)}
    assert await published(service, "ShipmentHeld") == []


async def test_a_release_arriving_while_a_pull_is_open_is_held_from_the_start(
    service: Harness,
) -> None:
    pull_id = await pull(service, "customer", "globex")

    order_id = await release(service, customer_id="globex")

    assert await wave(service) == set()
    assert (await shipment(service, order_id))["held_by"] == [str(pull_id)]
    await resolve(service, pull_id, "customer", "globex")
    assert await wave(service) == {str(order_id)}


async def test_a_shipment_held_by_two_pulls_is_picked_only_after_both_are_resolved(
    service: Harness,
) -> None:
    order_id = await release(service, skus=("TEAPOT",))
    by_sku = await pull(service, "sku", "TEAPOT")
    by_order = await pull(service, "order", str(order_id))

    await resolve(service, by_sku, "sku", "TEAPOT")
    assert await wave(service) == set()

    await resolve(service, by_order, "order", str(order_id))
    assert await wave(service) == {str(order_id)}


async def test_pulls_and_resolutions_delivered_again_take_effect_once(service: Harness) -> None:
    order_id = await release(service)
    pull_id = await pull(service, "sku", "TEAPOT")
    await pull(service, "sku", "TEAPOT", pull_id)

    await resolve(service, pull_id, "sku", "TEAPOT")
    await resolve(service, pull_id, "sku", "TEAPOT")
    await pull(service, "sku", "TEAPOT", pull_id)  # late: after its own resolution

    assert len(await published(service, "ShipmentHeld")) == 1
    assert len(await published(service, "ShipmentHoldLifted")) == 1
    assert await wave(service) == {str(order_id)}


async def test_staff_see_the_pulls_holding_a_shipment(service: Harness) -> None:
    order_id = await release(service)
    pull_id = await pull(service, "order", str(order_id))

    async with http_client(service) as client:
        response = await client.get(f"/v1/shipments?order_id={order_id}", headers=as_staff())

    [listed] = response.json()
    assert listed["shipment_id"] == str(shipment_id_for(order_id, 1))
    assert (listed["status"], listed["held_by"]) == ("waiting", [str(pull_id)])


async def test_the_hold_read_models_rebuild_identically(service: Harness) -> None:
    first, second = await release(service), await release(service, customer_id="globex")
    by_sku = await pull(service, "sku", "TEAPOT")
    await pull(service, "customer", "globex")
    await resolve(service, by_sku, "sku", "TEAPOT")
    await wave(service)

    report = await rebuild_read_models(
        service.runtime.db, service.runtime.definition, check_only=True
    )

    assert report.identical
    assert (await shipment(service, first))["status"] == "picking"
    assert (await shipment(service, second))["status"] == "waiting"

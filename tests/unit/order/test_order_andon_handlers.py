"""Andon pulls, returns and the defect rule on a real database, through handlers and routes."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from order_harness import (
    a_place_command,
    auth,
    define,
    deliver,
    details,
    http_client,
    order_service,
    place,
    published,
)

from services.order.commands import ChangeOrder, RequestedLine
from services.order.domain import DEFAULT_POLICY
from shared.replay import rebuild_read_models
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings


async def pull(runtime: ServiceRuntime, kind: str, target: str) -> UUID:
    pull_id = uuid4()
    data = {
        "pull_id": str(pull_id),
        "target_kind": kind,
        "target_id": target,
        "reason": f"{kind} {target} stopped",
        "category": "quality",
        "pulled_by": "ada",
        "automatic": False,
    }
    await deliver(runtime, "AndonPulled", data)
    return pull_id


async def resolve(runtime: ServiceRuntime, pull_id: UUID) -> None:
    data = {"pull_id": str(pull_id), "target_kind": "sku", "target_id": "-", "root_cause": "dent"}
    await deliver(runtime, "AndonResolved", data)


async def approve_and_reserve(runtime: ServiceRuntime, order_id: UUID, sku: str, n: int) -> None:
    order = str(order_id)
    total = (await details(runtime, order_id))["total_cents"]
    await deliver(
        runtime,
        "CreditApproved",
        {"order_id": order, "customer_id": "acme", "amount_cents": total, "exposure_cents": 0},
    )
    reserved = {"order_id": order, "sku": sku, "quantity": n, "reserved_total": n}
    await deliver(runtime, "StockReserved", reserved)


async def status_and_holds(runtime: ServiceRuntime, order_id: UUID) -> tuple[str, list[str]]:
    order = await details(runtime, order_id)
    return order["status"], order["holds"]


async def test_a_sku_pull_holds_unreleased_orders_with_it_and_its_resolution_releases_them(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        waiting = await place(runtime, a_place_command(lines=[("CLOCK", 1)]))
        released = await place(runtime, a_place_command(lines=[("CLOCK", 1)]))
        other_sku = await place(runtime, a_place_command(lines=[("LAMP", 1)]))
        await approve_and_reserve(runtime, released, "CLOCK", 1)

        pull_id = await pull(runtime, "sku", "CLOCK")
        await approve_and_reserve(runtime, waiting, "CLOCK", 1)
        assert await status_and_holds(runtime, waiting) == ("on_hold", ["andon"])
        assert (await status_and_holds(runtime, released))[0] == "released"
        assert (await status_and_holds(runtime, other_sku))[1] == []
        await resolve(runtime, pull_id)

        assert await status_and_holds(runtime, waiting) == ("released", [])
        assert [(e["order_id"], e["pull_id"]) for e in await published(runtime, "OrderHeld")] == [
            (str(waiting), str(pull_id))
        ]
        lifted = await published(runtime, "OrderHoldLifted")
        assert [(e["hold"], e["pull_id"], e["still_held"]) for e in lifted] == [
            ("andon", str(pull_id), False)
        ]
        timeline = (await details(runtime, waiting))["timeline"]
        andon = [(e["service"], e["event"]) for e in timeline if e["service"] == "andon"]
        assert andon == [("andon", "OrderHeld"), ("andon", "OrderHoldLifted")]


async def test_a_customer_pull_holds_their_open_orders_and_an_order_pull_exactly_that_one(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        await define(runtime, customer="globex", items=())
        first = await place(runtime, a_place_command(lines=[("CLOCK", 1)]))
        second = await place(runtime, a_place_command(lines=[("LAMP", 1)]))
        theirs = await place(runtime, a_place_command("globex", lines=[("CLOCK", 1)]))
        other = await place(runtime, a_place_command("globex", lines=[("LAMP", 1)]))

        await pull(runtime, "customer", "acme")
        await pull(runtime, "order", str(theirs))
        await pull(runtime, "step", "inventory")

        held = {o: (await status_and_holds(runtime, o))[1] for o in (first, second, theirs, other)}
        assert held == {first: ["andon"], second: ["andon"], theirs: ["andon"], other: []}


async def test_with_two_pulls_the_order_resumes_only_after_both_are_resolved(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 1)]))
        on_sku = await pull(runtime, "sku", "CLOCK")
        on_customer = await pull(runtime, "customer", "acme")
        await approve_and_reserve(runtime, order_id, "CLOCK", 1)

        await resolve(runtime, on_sku)
        await resolve(runtime, on_sku)
        assert await status_and_holds(runtime, order_id) == ("on_hold", ["andon"])
        await resolve(runtime, on_customer)

        assert await status_and_holds(runtime, order_id) == ("released", [])
        assert len(await published(runtime, "OrderReleased")) == 1


async def test_an_order_placed_during_an_open_pull_is_held_from_the_start_until_it_resolves(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        pull_id = await pull(runtime, "sku", "LAMP")

        during = await place(runtime, a_place_command(lines=[("CLOCK", 1), ("LAMP", 1)]))
        await approve_and_reserve(runtime, during, "CLOCK", 1)
        await deliver(
            runtime,
            "StockReserved",
            {"order_id": str(during), "sku": "LAMP", "quantity": 1, "reserved_total": 1},
        )
        assert await status_and_holds(runtime, during) == ("on_hold", ["andon"])
        await resolve(runtime, pull_id)
        after = await place(runtime, a_place_command(lines=[("LAMP", 1)]))

        assert await status_and_holds(runtime, during) == ("released", [])
        assert await status_and_holds(runtime, after) == ("pending", [])


async def test_the_andon_read_models_rebuild_identically(tmp_path: Path) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 1)]))
        resolved = await pull(runtime, "order", str(order_id))
        await pull(runtime, "customer", "acme")
        await resolve(runtime, resolved)
        await place(runtime, a_place_command(lines=[("LAMP", 1)]))

        report = await rebuild_read_models(runtime.db, runtime.definition, check_only=True)

        assert report.identical


async def ship(runtime: ServiceRuntime, order_id: UUID, sku: str, quantity: int) -> None:
    await approve_and_reserve(runtime, order_id, sku, quantity)
    shipped: dict[str, Any] = {
        "shipment_id": str(uuid4()),
        "order_id": str(order_id),
        "release_no": 1,
        "lines": [{"sku": sku, "quantity": quantity}],
    }
    await deliver(runtime, "ShipmentShipped", shipped)


async def test_a_return_of_shipped_units_is_recorded_published_and_on_the_timeline(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime, http_client(runtime) as client:
        await define(runtime)
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 2)]))
        await ship(runtime, order_id, "CLOCK", 2)
        url = f"/v1/orders/{order_id}/returns"
        body = {"lines": [{"sku": "CLOCK", "quantity": 2}], "reason": "arrived broken"}

        recorded = await client.post(url, json=body, headers=auth("shop"))
        again = await client.post(url, json=body, headers=auth("shop"))

        assert recorded.status_code == 201
        return_id = recorded.json()["return_id"]
        assert (recorded.json()["return_no"], recorded.json()["status_url"]) == (
            1,
            f"/v1/orders/{order_id}",
        )
        assert again.status_code == 422
        assert [e["field"] for e in again.json()["errors"]] == ["lines.0.quantity"]
        assert await published(runtime, "ReturnRecorded") == [
            {"order_id": str(order_id), "return_no": 1, **body, "return_id": return_id}
        ]
        events = [e["event"] for e in (await details(runtime, order_id))["timeline"]]
        assert events[-1] == "ReturnRecorded"

        # The warehouse received the goods and credited them: both show on the timeline, once.
        receipt = {
            "return_id": return_id,
            "order_id": str(order_id),
            "return_no": 1,
            "lines": [{"sku": "CLOCK", "quantity": 2, "disposition": "quarantine"}],
        }
        note = {
            "credit_note_id": str(uuid4()),
            "invoice_id": str(uuid4()),
            "order_id": str(order_id),
            "customer_id": "acme",
            "return_id": return_id,
            "lines": [],
            "total_cents": 2_000,
            "applied_cents": 2_000,
            "refund_cents": 0,
        }
        for _ in range(2):
            await deliver(runtime, "ReturnReceived", receipt)
            await deliver(runtime, "CreditNoteIssued", note)
        timeline = (await details(runtime, order_id))["timeline"]
        assert [(e["service"], e["event"]) for e in timeline[-2:]] == [
            ("fulfillment", "ReturnReceived"),
            ("fulfillment", "CreditNoteIssued"),
        ]
        assert timeline[-1]["detail"]["applied_cents"] == 2_000


async def test_a_return_naming_unknown_skus_or_someone_elses_order_is_refused(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime, http_client(runtime) as client:
        await define(runtime)
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 2), ("LAMP", 1)]))
        await ship(runtime, order_id, "CLOCK", 1)
        url = f"/v1/orders/{order_id}/returns"
        lines = [{"sku": "FAN", "quantity": 1}, {"sku": "LAMP", "quantity": 1}]

        unknown = await client.post(url, json={"lines": lines, "reason": "x"}, headers=auth("shop"))
        no_reason = await client.post(url, json={"lines": lines[1:]}, headers=auth("staff"))
        foreign = await client.post(
            url, json={"lines": lines[1:], "reason": "x"}, headers=auth("other-shop")
        )

        assert unknown.status_code == 422
        assert [e["field"] for e in unknown.json()["errors"]] == ["lines.0.sku", "lines.1.quantity"]
        assert [e["field"] for e in no_reason.json()["errors"]] == ["reason"]
        assert foreign.status_code == 404
        assert await published(runtime, "ReturnRecorded") == []


async def test_the_policy_may_carry_a_defect_rule_which_is_validated_and_published(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime, http_client(runtime) as client:
        body = DEFAULT_POLICY.model_dump(mode="json", exclude={"version", "defects"})

        invalid = await client.put(
            "/v1/policy",
            json={**body, "defects": {"count": 0, "window_minutes": 0}},
            headers=auth("ops"),
        )
        changed = await client.put(
            "/v1/policy",
            json={**body, "defects": {"count": 2, "window_minutes": 60}},
            headers=auth("ops"),
        )

        assert {e["field"] for e in invalid.json()["errors"]} == {
            "defects.count",
            "defects.window_minutes",
        }
        assert changed.json()["defects"] == {"count": 2, "window_minutes": 60}
        [policy] = await published(runtime, "PolicyChanged")
        assert (policy["version"], policy["defects"]) == (2, {"count": 2, "window_minutes": 60})


@pytest.mark.integration
async def test_no_order_escapes_a_pull_noted_while_it_is_placed_on_postgres(
    postgres_dsn: str, tmp_path: Path
) -> None:
    # Intake checks for open pulls while the pull looks for the orders to hold: on PostgreSQL
    # (READ COMMITTED) each could miss the other's uncommitted write, unless they take turns.
    rounds, orders_per_round = 40, 6
    skus = [f"RACE-{n}" for n in range(rounds)]
    async with _on_postgres(postgres_dsn, tmp_path) as runtime:
        await define(runtime, items=[(sku, 1_000) for sku in skus])
        escaped = []
        for sku in skus:
            placing = [
                place(runtime, a_place_command(lines=[(sku, 1)])) for _ in range(orders_per_round)
            ]
            half = orders_per_round // 2
            *placed, _ = await asyncio.gather(
                *placing[:half], *placing[half:], pull(runtime, "sku", sku)
            )
            for order_id in placed:
                status, holds = await status_and_holds(runtime, order_id)
                if "andon" not in holds:
                    escaped.append((sku, status, holds))
        assert escaped == []


@asynccontextmanager
async def _on_postgres(postgres_dsn: str, tmp_path: Path) -> AsyncIterator[ServiceRuntime]:
    """The order service in a PostgreSQL schema of its own, dropped afterwards."""
    settings = ServiceSettings(database_url=postgres_dsn, namespace=f"r{uuid4().hex[:8]}")
    try:
        async with order_service(tmp_path, settings=settings) as runtime:
            yield runtime
    finally:
        async with (
            order_service(tmp_path, settings=settings) as runtime,
            runtime.db.transaction() as conn,
        ):
            await conn.execute(f'DROP SCHEMA "{settings.schema_for("order")}" CASCADE')


def _adding(order_id: UUID, sku: str) -> ChangeOrder:
    lines = (RequestedLine(sku="CLOCK", quantity=1), RequestedLine(sku=sku, quantity=1))
    return ChangeOrder(order_id=order_id, channel="shop", lines=lines)


async def test_a_line_added_for_a_sku_with_an_open_pull_holds_the_order_until_it_resolves(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        await define(runtime)
        pull_id = await pull(runtime, "sku", "LAMP")
        order_id = await place(runtime, a_place_command(lines=[("CLOCK", 1)]))
        before = await status_and_holds(runtime, order_id)

        after = await runtime.send(_adding(order_id, "LAMP"))
        await approve_and_reserve(runtime, order_id, "CLOCK", 1)
        lamp = {"order_id": str(order_id), "sku": "LAMP", "quantity": 1, "reserved_total": 1}
        await deliver(runtime, "StockReserved", lamp)
        held = await status_and_holds(runtime, order_id)
        await resolve(runtime, pull_id)

        assert (before, after, held) == (("pending", []), "on_hold", ("on_hold", ["andon"]))
        [hold] = [h for h in await published(runtime, "OrderHeld") if h["hold"] == "andon"]
        assert hold["pull_id"] == str(pull_id)
        assert await status_and_holds(runtime, order_id) == ("released", [])


@pytest.mark.integration
async def test_no_changed_order_escapes_a_pull_noted_while_the_line_is_added_on_postgres(
    postgres_dsn: str, tmp_path: Path
) -> None:
    # As at intake: the change looks for open pulls on its new SKUs while the pull looks for
    # the orders holding them; they take turns on the target, so neither misses the other.
    skus = [f"ADDED-{n}" for n in range(20)]
    async with _on_postgres(postgres_dsn, tmp_path) as runtime:
        await define(runtime, items=[("CLOCK", 1_000), *((sku, 1_000) for sku in skus)])
        escaped = []
        for sku in skus:
            orders = [await place(runtime, a_place_command(lines=[("CLOCK", 1)])) for _ in "ab"]
            changes = [runtime.send(_adding(order_id, sku)) for order_id in orders]
            await asyncio.gather(changes[0], pull(runtime, "sku", sku), changes[1])
            for order_id in orders:
                if "andon" not in (await status_and_holds(runtime, order_id))[1]:
                    escaped.append((sku, order_id))
        assert escaped == []

"""What a hostile or clumsy client sends the order API is refused (4xx problem+json), and
nothing of it is stored."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from order_harness import auth, define, http_client, order_service

from shared.limits import MAX_CENTS
from shared.runtime import ServiceRuntime

SHIP_TO = {"name": "Ada", "line1": "1 Main", "city": "Town", "postal_code": "1", "country": "US"}
BODY: dict[str, Any] = {
    "customer_id": "acme",
    "lines": [{"sku": "CLOCK", "quantity": 2}],
    "ship_to": SHIP_TO,
}
CUSTOMER = {
    "name": "Initech",
    "credit_light": "yellow",
    "credit_limit_cents": 5_000,
    "review_threshold_cents": 1_000,
}


@asynccontextmanager
async def api(folder: Path) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    async with order_service(folder) as runtime:
        await define(runtime)
        async with http_client(runtime) as client:
            yield runtime, client


async def stored_orders(runtime: ServiceRuntime) -> int:
    async with runtime.db.transaction() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM order_summary"))


def assert_problem(response: httpx.Response, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "lines": [{"sku": "CLOCK", "quantity": True}]}, "lines.0.quantity"),
        ({**BODY, "lines": [{"sku": "CLOCK", "quantity": 2.5}]}, "lines.0.quantity"),
        ({**BODY, "lines": [{"sku": "CLOCK", "quantity": "2"}]}, "lines.0.quantity"),
        ({**BODY, "customer_id": "ac\x00me"}, "customer_id"),
        ({**BODY, "customer_id": "   "}, "customer_id"),
        ({**BODY, "ship_to": {**SHIP_TO, "name": " \t "}}, "ship_to.name"),
        ({**BODY, "lines": [{"sku": "CLOCK", "quantity": 10**30}]}, "lines.0.quantity"),
    ],
)
async def test_an_order_with_a_bad_field_is_refused_naming_it_and_stores_nothing(
    tmp_path: Path, body: dict[str, Any], field: str
) -> None:
    async with api(tmp_path) as (runtime, client):
        response = await client.post("/v1/orders", json=body, headers=auth("shop"))

        assert_problem(response, 422, field)
        assert await stored_orders(runtime) == 0


async def test_duplicate_json_keys_are_refused_rather_than_the_last_one_winning(
    tmp_path: Path,
) -> None:
    async with api(tmp_path) as (runtime, client):
        raw = (
            b'{"customer_id": "acme", "customer_id": "other",'
            b' "lines": [{"sku": "CLOCK", "quantity": 1}],'
            b' "ship_to": {"name": "A", "line1": "1", "city": "T", "postal_code": "1",'
            b' "country": "US"}}'
        )
        headers = {**auth("shop"), "Content-Type": "application/json"}

        response = await client.post("/v1/orders", content=raw, headers=headers)

        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "duplicate key 'customer_id'" in response.text
        assert await stored_orders(runtime) == 0


async def test_money_past_the_documented_maximum_is_refused_not_a_server_error(
    tmp_path: Path,
) -> None:
    async with api(tmp_path) as (_, client):
        price = await client.put(
            "/v1/items/GOLD",
            json={"name": "Gold", "unit_price_cents": MAX_CENTS + 1},
            headers=auth("ops"),
        )
        limit = await client.put(
            "/v1/customers/initech",
            json={**CUSTOMER, "credit_limit_cents": 2**64},
            headers=auth("ops"),
        )
        unknown = await client.get("/v1/customers/initech", headers=auth("staff"))

        assert_problem(price, 422, "unit_price_cents")
        assert_problem(limit, 422, "credit_limit_cents")
        assert unknown.status_code == 404


async def test_an_order_worth_more_than_the_maximum_is_refused_and_classification_still_runs(
    tmp_path: Path,
) -> None:
    async with api(tmp_path) as (runtime, client):
        item = {"name": "Gold bar", "unit_price_cents": MAX_CENTS}
        await client.put("/v1/items/GOLD", json=item, headers=auth("ops"))
        body = {**BODY, "lines": [{"sku": "GOLD", "quantity": 100_000}]}

        response = await client.post("/v1/orders", json=body, headers=auth("shop"))
        classes = await client.post("/v1/classifications/run", headers=auth("ops"))

        assert_problem(response, 422, "lines")
        assert await stored_orders(runtime) == 0
        assert classes.status_code == 200


async def test_a_policy_whose_deadlines_or_priorities_cannot_be_computed_is_refused(
    tmp_path: Path,
) -> None:
    async with api(tmp_path) as (_, client):
        policy = (await client.get("/v1/policy", headers=auth("staff"))).json()
        policy["segments"]["AA"]["target_response_minutes"] = 10**12
        body = {"segments": policy["segments"], "pattern_check": policy["pattern_check"]}

        response = await client.put("/v1/policy", json=body, headers=auth("ops"))
        after = (await client.get("/v1/policy", headers=auth("staff"))).json()

        assert response.status_code == 422, response.text
        assert "target_response_minutes" in response.json()["errors"][0]["message"]
        assert after["version"] == policy["version"]


async def test_a_protection_level_is_whole_units_of_stock(tmp_path: Path) -> None:
    async with api(tmp_path) as (_, client):
        policy = (await client.get("/v1/policy", headers=auth("staff"))).json()
        assert {s["protection_level"] for s in policy["segments"].values()} == {0}
        responses = []
        for level in (-1, 10**8):
            policy["segments"]["AA"]["protection_level"] = level
            body = {"segments": policy["segments"], "pattern_check": policy["pattern_check"]}
            responses.append(await client.put("/v1/policy", json=body, headers=auth("ops")))
        policy["segments"]["AA"]["protection_level"] = 5
        body = {"segments": policy["segments"], "pattern_check": policy["pattern_check"]}
        accepted = await client.put("/v1/policy", json=body, headers=auth("ops"))

        assert [r.status_code for r in responses] == [422, 422]
        assert "protection_level must be at most" in responses[1].json()["errors"][0]["message"]
        assert accepted.json()["segments"]["AA"]["protection_level"] == 5

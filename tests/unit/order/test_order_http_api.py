"""The order API over HTTP (in process): keys, problem+json, idempotency, validation."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from order_harness import auth, define, http_client, order_service

BODY = {
    "external_id": "web-1",
    "customer_id": "acme",
    "lines": [{"sku": "CLOCK", "quantity": 2}],
    "ship_to": {
        "name": "Ada",
        "line1": "1 Main",
        "city": "Town",
        "postal_code": "1",
        "country": "US",
    },
}


async def post_order(client: httpx.AsyncClient, body: dict[str, Any], key: str) -> httpx.Response:
    """POST /v1/orders as the shop channel, under the Idempotency-Key `key`."""
    headers = auth("shop", **{"Idempotency-Key": key})
    return await client.post("/v1/orders", json=body, headers=headers)


@asynccontextmanager
async def api(folder: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with order_service(folder) as runtime:
        await define(runtime)
        async with http_client(runtime) as client:
            yield client


async def test_placing_needs_an_idempotency_key_and_a_retry_gets_the_first_answer(
    tmp_path: Path,
) -> None:
    async with api(tmp_path) as client:
        no_key = {"Authorization": "Bearer key-shop"}
        missing = await client.post("/v1/orders", json=BODY, headers=no_key)
        first = await post_order(client, BODY, "a")
        again = await post_order(client, BODY, "a")
        other = await post_order(client, {**BODY, "external_id": "web-2"}, "a")

        assert missing.status_code == 400
        assert (first.status_code, again.json()) == (202, first.json())
        assert other.status_code == 422
        assert other.headers["content-type"] == "application/problem+json"


async def test_bad_input_is_refused_naming_each_field(tmp_path: Path) -> None:
    async with api(tmp_path) as client:
        body = {
            **BODY,
            "customer_id": "nobody",
            "lines": [{"sku": "CLOCK", "quantity": 1}, {"sku": "NOPE", "quantity": 1}],
        }
        unknown = await post_order(client, body, "b")
        malformed = await post_order(
            client, {"customer_id": "acme", "lines": [{"sku": "CLOCK", "quantity": 0}]}, "c"
        )

        assert unknown.status_code == 422
        assert [e["field"] for e in unknown.json()["errors"]] == ["customer_id", "lines.1.sku"]
        assert malformed.status_code == 422
        assert {e["field"] for e in malformed.json()["errors"]} == {"lines.0.quantity", "ship_to"}


async def test_a_channel_sees_and_acts_on_its_own_orders_only(tmp_path: Path) -> None:
    async with api(tmp_path) as client:
        placed = await post_order(client, BODY, str(uuid4()))
        url = placed.json()["status_url"]

        mine = await client.get(url, headers=auth("shop"))
        theirs = await client.get(url, headers=auth("other-shop"))
        cancel = await client.post(f"{url}/cancel", headers=auth("other-shop"))
        listed = await client.get("/v1/orders", headers=auth("other-shop"))
        confirm = await client.post(f"{url}/confirm", headers=auth("shop"))

        assert mine.status_code == 200 and mine.json()["segment"] == "CC"
        assert (theirs.status_code, cancel.status_code, listed.json()) == (404, 404, [])
        assert confirm.status_code == 409


async def test_policy_changes_need_all_nine_segments_and_an_ops_key(tmp_path: Path) -> None:
    async with api(tmp_path) as client:
        policy = (await client.get("/v1/policy", headers=auth("staff"))).json()
        del policy["segments"]["AB"]
        policy["segments"]["AA"]["target_fill_rate"] = 1.5
        body = {"segments": policy["segments"], "pattern_check": policy["pattern_check"]}

        by_staff = await client.put("/v1/policy", json=body, headers=auth("staff"))
        invalid = await client.put("/v1/policy", json=body, headers=auth("ops"))

        assert policy["version"] == 1
        assert by_staff.status_code == 403
        assert {e["field"] for e in invalid.json()["errors"]} == {
            "segments.AB",
            "segments.AA.target_fill_rate",
        }


async def test_a_customer_shows_its_class_and_exposure(tmp_path: Path) -> None:
    async with api(tmp_path) as client:
        put = await client.put(
            "/v1/customers/initech",
            json={
                "name": "Initech",
                "credit_light": "yellow",
                "credit_limit_cents": 5_000,
                "review_threshold_cents": 1_000,
                "tier": "vip",
            },
            headers=auth("ops"),
        )
        found = await client.get("/v1/customers/initech", headers=auth("staff"))
        classes = await client.post("/v1/classifications/run", headers=auth("ops"))

        assert put.status_code == 204
        assert (found.json()["customer_class"], found.json()["exposure_cents"]) == ("C", 0)
        assert classes.json()["customers"]["initech"] == "C"


async def test_a_channel_finds_its_order_by_its_own_id_and_a_retry_under_a_new_key_is_no_twin(
    tmp_path: Path,
) -> None:
    async with api(tmp_path) as client:
        first = await post_order(client, BODY, "k-lost")
        retry = await post_order(client, BODY, "k-new")
        clash = await post_order(
            client, {**BODY, "lines": [{"sku": "LAMP", "quantity": 1}]}, "k-other"
        )
        found = await client.get("/v1/orders?external_id=web-1", headers=auth("shop"))
        foreign = await client.get("/v1/orders?external_id=web-1", headers=auth("other-shop"))

        assert (first.status_code, retry.status_code) == (202, 202)
        assert retry.json()["order_id"] == first.json()["order_id"]
        assert clash.status_code == 409
        assert clash.headers["content-type"] == "application/problem+json"
        assert [o["order_id"] for o in found.json()] == [first.json()["order_id"]]
        assert foreign.json() == []

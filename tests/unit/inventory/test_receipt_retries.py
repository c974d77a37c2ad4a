"""A stock receipt retried after a timeout adds the stock once, on SQLite and on PostgreSQL,
also when the retries arrive concurrently."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from inventory_harness import KEYS, running_inventory


@pytest.fixture(params=["sqlite", "postgresql"])
async def http(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    dsn = request.getfixturevalue("postgres_dsn") if request.param == "postgresql" else ""
    running = running_inventory(tmp_path, postgres_dsn=dsn)
    async with running as inventory, inventory.http_client(KEYS) as client:
        yield client


def keyed(key: str) -> dict[str, str]:
    return {"Authorization": "Bearer ops-key", "Idempotency-Key": key}


async def on_hand(http: httpx.AsyncClient, sku: str) -> int:
    level = await http.get(f"/v1/inventory/{sku}", headers={"Authorization": "Bearer staff-key"})
    return int(level.json()["on_hand"])


async def test_a_retried_receipt_adds_the_stock_once(http: httpx.AsyncClient) -> None:
    first = await http.post(
        "/v1/inventory/VASE/receipts", json={"quantity": 7}, headers=keyed("r1")
    )
    retry = await http.post(
        "/v1/inventory/VASE/receipts", json={"quantity": 7}, headers=keyed("r1")
    )

    assert first.status_code == retry.status_code == 202, retry.text
    assert retry.json() == first.json()
    assert await on_hand(http, "VASE") == 7


async def test_concurrent_retries_of_one_receipt_add_the_stock_once(
    http: httpx.AsyncClient,
) -> None:
    retries = [
        http.post("/v1/inventory/LAMP/receipts", json={"quantity": 3}, headers=keyed("r2"))
        for _ in range(6)
    ]

    answers = await asyncio.gather(*retries)

    assert {a.status_code for a in answers} == {202}, [a.text for a in answers]
    assert await on_hand(http, "LAMP") == 3


async def test_the_same_key_for_another_sku_is_refused_and_adds_nothing(
    http: httpx.AsyncClient,
) -> None:
    await http.post("/v1/inventory/FAN/receipts", json={"quantity": 2}, headers=keyed("r3"))

    other = await http.post("/v1/inventory/OWL/receipts", json={"quantity": 2}, headers=keyed("r3"))
    unknown = await http.get("/v1/inventory/OWL", headers={"Authorization": "Bearer staff-key"})

    assert other.status_code == 422, other.text
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"

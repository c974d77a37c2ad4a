"""What every service app answers beyond its routes: the API documents only with a key, 401 with
a challenge, 405 with Allow, 503 with Retry-After while the database is down, and an OpenAPI
document that says all of this."""

import socket
from typing import Any

import asyncpg
import httpx
import pytest
from inventory_harness import Inventory

from shared.db import PostgresDatabase

OPS = {"Authorization": "Bearer ops-key"}


async def openapi(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.get("/openapi.json", headers=OPS)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/docs-openapi.json"])
async def test_the_api_documents_need_a_key_like_every_other_route(
    http: httpx.AsyncClient, path: str
) -> None:
    anonymous = await http.get(path)
    unknown = await http.get(path, headers={"Authorization": "Bearer nope"})
    with_key = await http.get(path, headers={"Authorization": "Bearer staff-key"})

    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert unknown.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert with_key.status_code == 200


async def test_a_wrong_method_answers_405_naming_every_method_of_the_path(
    http: httpx.AsyncClient,
) -> None:
    response = await http.delete("/v1/inventory/VASE/receipts", headers=OPS)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_document_declares_the_bearer_scheme_and_problem_errors(
    http: httpx.AsyncClient,
) -> None:
    document = await openapi(http)
    receipts = document["paths"]["/v1/inventory/{sku}/receipts"]["post"]
    header = next(p for p in receipts["parameters"] if p["in"] == "header")

    assert document["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    assert receipts["security"] == [{"ApiKey": []}]
    assert (header["name"], header["required"]) == ("Idempotency-Key", True)
    for status in ("400", "401", "403", "404", "409", "413", "422", "503"):
        assert list(receipts["responses"][status]["content"]) == ["application/problem+json"]
    assert "WWW-Authenticate" in receipts["responses"]["401"]["headers"]
    assert "Retry-After" in receipts["responses"]["503"]["headers"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_while_postgresql_is_down_every_route_answers_503_with_retry_after(
    inventory: Inventory, http: httpx.AsyncClient
) -> None:
    # A pool that connects lazily, to a port nobody listens on: PostgreSQL is down.
    pool = await asyncpg.create_pool(f"postgresql://x@127.0.0.1:{_closed_port()}/x", min_size=0)
    working, inventory.runtime.db = inventory.runtime.db, PostgresDatabase(pool, "inventory")
    try:
        read = await http.get("/v1/inventory/VASE", headers=OPS)
        write = await http.post(
            "/v1/inventory/VASE/receipts",
            json={"quantity": 1},
            headers={**OPS, "Idempotency-Key": "k"},
        )
    finally:
        inventory.runtime.db = working
        await pool.close()

    for response in (read, write):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "2"

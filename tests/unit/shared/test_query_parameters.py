"""Every route refuses query parameters it does not take and values with control characters,
with a problem+json 422 naming the parameter, before the route runs: a filter is compared in the
database, and PostgreSQL refuses a NUL in text."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter

from shared.testing.apps import app_for_tests

router = APIRouter()
reached: list[str | None] = []


@router.get("/v1/things")
async def things(category: str | None = None) -> list[str]:
    reached.append(category)
    return []


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    reached.clear()
    app = app_for_tests("test", [router], keys={})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_a_printable_filter_reaches_the_route(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/things", params={"category": "damaged — box"})

    assert response.status_code == 200
    assert reached == ["damaged — box"]


@pytest.mark.parametrize("value", ["a\x00", "\x1b[31m", "line\nbreak", "del\x7f"])
async def test_a_control_character_in_a_filter_is_a_422_naming_it(
    http: httpx.AsyncClient, value: str
) -> None:
    response = await http.get("/v1/things", params={"category": value})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "query.category", "message": "control characters are not allowed"}
    ]
    assert reached == []


async def test_an_unknown_parameter_is_a_422_naming_it(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/things", params={"categroy": "x"})

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "query.categroy", "message": "not a parameter"}]
    assert reached == []

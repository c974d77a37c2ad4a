"""Past its limit of requests in flight a process answers 503 problem+json with Retry-After at
once, doing nothing of the request; probes still answer; below the limit again, it serves."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter

from shared.testing.apps import app_for_tests

LIMIT = 3
router = APIRouter()
released = asyncio.Event()
done: list[int] = []


@router.post("/v1/slow/{n}")
async def slow(n: int) -> dict[str, int]:
    await released.wait()
    done.append(n)
    return {"n": n}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    released.clear()
    done.clear()
    app = app_for_tests("test", [router], keys={}, max_in_flight=LIMIT)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def _until_in_flight(tasks: list[asyncio.Task[httpx.Response]]) -> None:
    # The held requests have reached the route (and wait there) once the loop ran a few times.
    for _ in range(50):
        await asyncio.sleep(0)
    assert not any(task.done() for task in tasks)


async def test_past_the_limit_a_request_is_refused_at_once_with_retry_after(
    http: httpx.AsyncClient,
) -> None:
    held = [asyncio.create_task(http.post(f"/v1/slow/{n}")) for n in range(LIMIT)]
    await _until_in_flight(held)

    async with asyncio.timeout(5):  # without the limit, it would wait with the others
        refused = await http.post("/v1/slow/99")

    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "1"
    assert "nothing of this one was done" in refused.json()["detail"]
    assert (await http.get("/healthz")).status_code == 200
    assert (await http.get("/readyz")).status_code == 200
    assert (await http.get("/metrics")).status_code == 200
    assert 'gapless_http_shed_total{service="test"}' in (await http.get("/metrics")).text

    released.set()
    assert [response.status_code for response in await asyncio.gather(*held)] == [200] * LIMIT
    assert sorted(done) == list(range(LIMIT)), "the refused request never reached the route"
    assert (await http.post("/v1/slow/100")).status_code == 200

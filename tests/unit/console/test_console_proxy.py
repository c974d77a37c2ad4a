"""The console process of scale-out: serves the page, forwards /v1/... with the caller's key to
the service owning the prefix, and answers problems for what it cannot forward."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.order.api import ROUTERS
from services.order.service import DEFINITION
from shared.auth import Principal, Role
from shared.bus.memory import MemoryBroker
from shared.console.proxy import create_console_app
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.testing.apps import app_for_tests


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    runtime = ServiceRuntime(DEFINITION, ServiceSettings(data_dir=tmp_path), MemoryBroker())
    await runtime.open()
    keys = {"staff-key": Principal("sam", Role.STAFF)}
    order = app_for_tests("order", ROUTERS, keys, runtimes={"order": runtime})
    upstreams = {
        "/v1/orders": "http://order",
        "/v1/kpis": "http://order",
        "/v1/andon": "http://down",
    }

    class _Routed(httpx.AsyncBaseTransport):
        """The order service in process; any other host is unreachable."""

        def __init__(self) -> None:
            self._order = httpx.ASGITransport(app=order)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.host != "order":
                raise httpx.ConnectError("connection refused", request=request)
            return await self._order.handle_async_request(request)

    app = create_console_app(upstreams, transport=_Routed())
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
            yield client
    finally:
        await runtime.db.close()


async def test_the_page_and_its_assets_are_served_locally(console: httpx.AsyncClient) -> None:
    page = await console.get("/")
    assert page.status_code == 200 and "gapless ops console" in page.text
    assert "http" not in page.text.replace("http://www.w3.org", "")  # nothing from elsewhere
    assert (await console.get("/console/app.js")).status_code == 200


async def test_api_calls_go_to_the_owning_service_with_the_callers_key(
    console: httpx.AsyncClient,
) -> None:
    kpis = await console.get(
        "/v1/kpis", params={"segment": "AA"}, headers={"Authorization": "Bearer staff-key"}
    )
    assert kpis.status_code == 200, kpis.text
    assert list(kpis.json()["segments"]) == ["AA"]
    unauthenticated = await console.get("/v1/orders")
    assert unauthenticated.status_code == 401  # the service checks the key, not the console


async def test_a_lists_next_link_comes_through(console: httpx.AsyncClient) -> None:
    feed = await console.get(
        "/v1/orders", params={"updated_since": "0"}, headers={"Authorization": "Bearer staff-key"}
    )

    assert feed.status_code == 200, feed.text
    assert feed.links["next"]["url"].startswith("/v1/orders?updated_since=")


async def test_what_cannot_be_forwarded_is_a_problem(console: httpx.AsyncClient) -> None:
    unknown = await console.get("/v1/nothing-here")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    down = await console.get("/v1/andon/pulls", headers={"Authorization": "Bearer staff-key"})
    assert down.status_code == 502
    assert down.headers["content-type"].startswith("application/problem+json")
    ready = await console.get("/readyz")
    assert ready.status_code == 503 and ready.json()["upstreams"]["http://down"] is False

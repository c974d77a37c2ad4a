"""GAPLESS_ROLE splits a service's process into an API and a worker (the two Kubernetes
Deployments of a service); `all` keeps both in one process (embedded mode, `make up`)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from services.inventory.service import DEFINITION as INVENTORY
from shared.auth import create_credentials
from shared.serve import create_process_app
from shared.settings import ServiceSettings


@pytest.fixture
def settings(tmp_path: Path) -> ServiceSettings:
    create_credentials(tmp_path)
    return ServiceSettings(bus="local", data_dir=tmp_path, keys_file=tmp_path / "keys.json")


@asynccontextmanager
async def _answers(settings: ServiceSettings, role: str) -> AsyncIterator[httpx.AsyncClient]:
    # The OpenAPI document tells which routes a process serves: read it without a key.
    opened = settings.model_copy(update={"role": role, "public_docs": True})
    app = create_process_app([INVENTORY], opened, name="x")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def _paths_and_checks(settings: ServiceSettings, role: str) -> tuple[set[str], set[str]]:
    async with _answers(settings, role) as client:
        paths = set((await client.get("/openapi.json")).json()["paths"])
        checks = set((await client.get("/readyz")).json()["checks"])
    # Replay from the API (/v1/replay) is on every process; the service's own routes are the rest.
    routes = {p for p in paths if p.startswith("/v1/") and not p.startswith("/v1/replay")}
    return routes, {check.partition(":")[0] for check in checks}


async def test_an_api_process_serves_the_routes_and_consumes_nothing(
    settings: ServiceSettings,
) -> None:
    routes, checks = await _paths_and_checks(settings, "api")

    assert routes and all(p.startswith("/v1/inventory") for p in routes)
    assert checks == {"inventory.database"}


async def test_a_worker_process_consumes_and_serves_only_probes_and_metrics(
    settings: ServiceSettings,
) -> None:
    routes, checks = await _paths_and_checks(settings, "worker")

    assert routes == set()
    assert checks == {"inventory.database", "inventory.consumer"}


async def test_one_process_does_both_by_default(settings: ServiceSettings) -> None:
    routes, checks = await _paths_and_checks(settings, "all")

    assert routes and checks == {"inventory.database", "inventory.consumer"}

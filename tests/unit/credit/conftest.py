"""Fixtures of the credit tests: the service on a SQLite file of its own, and its HTTP API."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from credit_harness import NOW, CreditService, credit_app

from services.credit.service import DEFINITION
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from shared.testing.harness import ServiceHarness


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[ServiceRuntime]:
    async with ServiceHarness.running(DEFINITION, tmp_path, clock=FrozenClock(NOW)) as service:
        yield service.runtime


@pytest.fixture
def credit(runtime: ServiceRuntime) -> CreditService:
    return CreditService(runtime)


@pytest.fixture
async def http(runtime: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    """The credit API over ASGI; pass `headers=auth("ops-key")` to act as someone."""
    transport = httpx.ASGITransport(app=credit_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://credit") as client:
        yield client

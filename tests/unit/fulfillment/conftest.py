"""Fixtures of the fulfillment tests: the service on a SQLite file of its own, and its HTTP API.
A module that runs on both databases overrides `service`; `client` then serves that one."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.fulfillment.service import DEFINITION
from tests.unit.fulfillment.harness import Harness, harness, http_client


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Harness]:
    async with harness(DEFINITION, tmp_path) as running:
        yield running


@pytest.fixture
async def client(service: Harness) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(service) as running:
        yield running

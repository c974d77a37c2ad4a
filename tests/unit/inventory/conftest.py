"""Fixtures of the inventory tests: the service on a SQLite file of its own, and its HTTP API.
A module that runs on both databases overrides `inventory`; `http` then serves that one."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from inventory_harness import KEYS, Inventory, running_inventory


@pytest.fixture
async def inventory(tmp_path: Path) -> AsyncIterator[Inventory]:
    async with running_inventory(tmp_path) as running:
        yield running


@pytest.fixture
async def http(inventory: Inventory) -> AsyncIterator[httpx.AsyncClient]:
    async with inventory.http_client(KEYS) as client:
        yield client

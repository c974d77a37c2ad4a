"""Scale-out with every service split as on Kubernetes: API processes (GAPLESS_ROLE=api) that only
serve HTTP, and worker processes (GAPLESS_ROLE=worker) that consume, relay the outbox and run the
schedules; the migration step runs once before any of them, which only verify."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from services.roster import NAMES
from tests.e2e.clients import Api
from tests.e2e.conftest import _scaleout_servers
from tests.e2e.stack import REPO, ProductProcess, Stack, free_port, scaleout_stack

pytestmark = pytest.mark.e2e

SPLIT = NAMES


@pytest.fixture(scope="module")
def split_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("split")
    dsn, kafka = _scaleout_servers()
    stack = scaleout_stack(
        folder, postgres_dsn=dsn, kafka=kafka, namespace=f"split{uuid4().hex[:8]}"
    )
    env = {**stack.env, "GAPLESS_MIGRATIONS": "verify"}
    migrated = subprocess.run(
        [sys.executable, "-m", "services", "migrate"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr
    for service in SPLIT:
        api = stack.processes[service]
        api.env = {**env, "GAPLESS_ROLE": "api"}
        stack.processes[f"{service}-worker"] = ProductProcess(
            f"{service}-worker",
            api.args,
            {**env, "GAPLESS_ROLE": "worker"},
            free_port(),
            folder / f"{service}-worker.log",
        )
    stack.processes["simulator"].env = env
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
async def split_api(split_stack: Stack) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(timeout=20) as client:
        yield Api(split_stack, client)


async def test_an_order_placed_on_an_api_process_is_released_by_the_workers(
    split_api: Api, split_stack: Stack
) -> None:
    customer = await split_api.new_customer("split", light="green")
    sku = await split_api.new_item("split", stock=3, price_cents=1_000)

    order_id = await split_api.place_order(customer, [(sku, 1)])
    released = await split_api.wait_for_release(order_id, within=45)

    assert released["order_id"] == order_id
    async with httpx.AsyncClient(timeout=5) as client:
        worker = split_stack.processes["order-worker"].url
        assert (await client.get(f"{worker}/v1/orders")).status_code == 404
        ready = (await client.get(f"{split_stack.processes['order'].url}/readyz")).json()
    assert ready["checks"] == {"order.database": True}


def test_services_refuse_to_start_on_a_schema_the_migration_step_has_not_reached(
    tmp_path: Path,
) -> None:
    dsn, kafka = _scaleout_servers()
    stack = scaleout_stack(
        tmp_path, postgres_dsn=dsn, kafka=kafka, namespace=f"nomig{uuid4().hex[:8]}"
    )
    process = stack.processes["credit"]
    process.env = {**stack.env, "GAPLESS_MIGRATIONS": "verify"}

    process.start()
    assert process.popen is not None
    process.popen.wait(60)

    log = process.log_path.read_text()
    assert process.popen.returncode != 0
    assert "run the migration step first (`gapless migrate`)" in log

"""End-to-end fixtures: the same scenarios run against embedded and against scale-out."""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from tests.e2e.clients import Api
from tests.e2e.stack import Stack, embedded_stack, scaleout_stack


def _scaleout_servers() -> tuple[str, str]:
    dsn = os.environ.get("POSTGRES_DSN")
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if dsn and kafka:
        return dsn, kafka
    message = (
        'scale-out needs PostgreSQL and Kafka: eval "$(deploy/infra.sh up)" (make test does it)'
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session", params=["embedded", "scaleout"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    folder: Path = tmp_path_factory.mktemp(request.param)
    if request.param == "embedded":
        running = embedded_stack(folder)
    else:
        dsn, kafka = _scaleout_servers()
        running = scaleout_stack(
            folder, postgres_dsn=dsn, kafka=kafka, namespace=f"e2e{uuid4().hex[:8]}"
        )
    running.start()
    yield running
    running.stop()


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield Api(stack, client)

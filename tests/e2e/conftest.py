"""End-to-end fixtures: the same scenarios run against embedded and against scale-out."""

import os
import warnings
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.e2e.clients import FAST_SIMULATOR, Api
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


def _tune_simulator(stack: Stack) -> None:
    """The simulated WMS/TMS answers within ~50 ms and never loses a hand-off in these tests.

    A refusal only warns: scenarios that need shipping then fail on what they wait for, and the
    others still report.
    """
    response = httpx.put(
        stack.url_for("/v1/simulator"),
        json=FAST_SIMULATOR,
        headers={"Authorization": f"Bearer {stack.keys['ops_key']}"},
        timeout=10,
    )
    if response.status_code not in (200, 204):
        warnings.warn(
            f"PUT /v1/simulator answered {response.status_code}: {response.text}", stacklevel=1
        )


@contextmanager
def running_stack(
    target: str,
    folder: Path,
    *,
    replicas: Mapping[str, int] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Stack]:
    """A started stack of `target` (embedded or scaleout), stopped again however the block ends."""
    if target == "embedded":
        running = embedded_stack(folder, extra_env=extra_env)
    else:
        dsn, kafka = _scaleout_servers()
        running = scaleout_stack(
            folder,
            postgres_dsn=dsn,
            kafka=kafka,
            namespace=f"e2e{uuid4().hex[:8]}",
            replicas=replicas,
            extra_env=extra_env,
        )
    try:
        running.start()
        _tune_simulator(running)
        yield running
    finally:
        running.stop()


def stack_of_its_own(name: str, settings: Mapping[str, str], *, fixture: str = "stack") -> Any:
    """A module's own stack fixture: per target a stack for that module alone, started with
    `settings` that the shared stacks must not see (short timeouts, say). Assigned to `stack` in
    the module, it stands in for the shared one there, and so `api` serves it."""

    @pytest.fixture(scope="module", params=["embedded", "scaleout"], name=fixture)
    def module_stack(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Stack]:
        folder = tmp_path_factory.mktemp(f"{name}-{request.param}")
        with running_stack(request.param, folder, extra_env=settings) as running:
            yield running

    return module_stack


@pytest.fixture(scope="session", params=["embedded", "scaleout"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """One stack per target for the whole session: tests isolate themselves by unique names."""
    with running_stack(request.param, tmp_path_factory.mktemp(request.param)) as running:
        yield running


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(timeout=20) as client:
        yield Api(stack, client)


# A stack of its own for one module, with no demo data: for answers over *all* the data.
fresh_stack = stack_of_its_own("fresh", {"GAPLESS_SEED_DEMO": "false"}, fixture="fresh_stack")


@pytest.fixture
async def fresh_api(fresh_stack: Stack) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(timeout=20) as client:
        yield Api(fresh_stack, client)

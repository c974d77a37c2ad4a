"""A service's HTTP routes behind the real app factory (auth, problem+json, limits), for tests."""

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from shared.auth import KeyRing, Principal, digest
from shared.http import ReadinessCheck, create_app
from shared.settings import MAX_IN_FLIGHT


@asynccontextmanager
async def _no_lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield  # the test has opened whatever the routes use


async def _ready() -> dict[str, bool]:
    return {}


def app_for_tests(
    service: str,
    routers: Sequence[APIRouter],
    keys: Mapping[str, Principal],
    *,
    runtimes: Mapping[str, object] | None = None,
    readiness: ReadinessCheck = _ready,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> FastAPI:
    """The app of `routers`, answering to each key in `keys` as its principal; `runtimes`: the
    services' the routes act on, by name."""
    return create_app(
        service=service,
        routers=routers,
        lifespan=_no_lifespan,
        readiness=readiness,
        key_ring=KeyRing({digest(key): principal for key, principal in keys.items()}),
        runtimes=runtimes or {},
        max_in_flight=max_in_flight,
    )

"""Process entrypoint: one or more service runtimes behind one HTTP app, served by uvicorn."""

import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential_jitter

from shared.auth import KeyRing
from shared.bus import Broker
from shared.bus.kafka import KafkaBroker
from shared.bus.local import LocalLogBroker
from shared.consumer import is_transient
from shared.http import create_app
from shared.logging import configure_logging
from shared.replay_api import Replays, replay_router
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.settings import ServiceSettings
from shared.workers import WorkerProcesses

logger = logging.getLogger(__name__)
STARTUP_PATIENCE_SECONDS = 120


async def _patiently(step: Callable[..., Awaitable[None]], *args: Any) -> None:
    """Wait for the database and the brokers at start-up (they may still be coming up)."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(is_transient),
        wait=wait_exponential_jitter(multiplier=0.2, jitter=0.2, max=5.0),
        stop=stop_after_delay(STARTUP_PATIENCE_SECONDS),
        before_sleep=lambda state: logger.warning(
            "waiting for infrastructure: %r", state.outcome and state.outcome.exception()
        ),
        reraise=True,
    ):
        with attempt:
            await step(*args)


def build_broker(settings: ServiceSettings) -> Broker:
    if settings.bus == "kafka":
        return KafkaBroker(settings.kafka, namespace=settings.namespace)
    return LocalLogBroker(settings.local_log_path)


def create_process_app(
    definitions: Sequence[ServiceDefinition],
    settings: ServiceSettings,
    *,
    name: str,
    workers: WorkerProcesses | None = None,
    ready_banner: str | None = None,
) -> FastAPI:
    """Build the app that serves `definitions` in this process (all of them when embedded).

    Services that `workers` names only serve HTTP here; their consumers, relay and schedules
    run in those child processes instead. GAPLESS_ROLE=api does the same for every service
    here: their event work runs in worker processes (pods) of their own. `ready_banner` goes
    to the terminal once started.
    """
    broker = build_broker(settings)
    runtimes = [ServiceRuntime(d, settings, broker) for d in definitions]
    elsewhere = set(workers.services) if workers is not None else set()
    if settings.role == "api":
        elsewhere |= {d.name for d in definitions}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await _patiently(broker.start)
        topics = dict.fromkeys(t for d in definitions for t in d.topics())
        await _patiently(broker.ensure_topics, list(topics))
        for runtime in runtimes:
            await _patiently(runtime.open)
            if runtime.name not in elsewhere:
                await runtime.start()
            else:
                runtime.start_http_schedules()
        if workers is not None:
            workers.start()
        try:
            for runtime in runtimes:
                if settings.seed_demo and runtime.definition.demo_data is not None:
                    await runtime.definition.demo_data(runtime)
            if ready_banner is not None:
                sys.stderr.write(ready_banner + "\n")
            yield
        finally:
            if workers is not None:
                await workers.stop()
            for runtime in runtimes:
                await runtime.stop()
            await broker.close()

    async def readiness() -> dict[str, bool]:
        checks: dict[str, bool] = workers.alive() if workers is not None else {}
        for runtime in runtimes:
            checks |= await runtime.readiness()
        return checks

    # A worker is reached by probes and Prometheus only: no API of its own to expose.
    routers = (
        []
        if settings.role == "worker"
        else [router for runtime in runtimes for router in runtime.definition.routers]
    )
    routers.append(replay_router(Replays(runtimes, broker)))
    app = create_app(
        service=name,
        routers=routers,
        lifespan=lifespan,
        readiness=readiness,
        key_ring=_key_ring(settings),
        runtimes={runtime.name: runtime for runtime in runtimes},
        public_docs=settings.public_docs,
        max_in_flight=settings.max_in_flight,
    )
    return app


def _key_ring(settings: ServiceSettings) -> KeyRing:
    path = settings.keys_path
    if not path.exists():
        raise SystemExit(
            f"no API keys at {path}: create them with `gapless keys create --dir {path.parent}`"
            " (or point GAPLESS_KEYS_FILE at a keys.json)"
        )
    return KeyRing.load(path)


def serve(app: FastAPI, settings: ServiceSettings, *, name: str) -> None:
    configure_logging(service=name, level=settings.log_level)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        loop="uvloop",
        http="httptools",
        # A burst of channel connections must queue, not be refused.
        backlog=4096,
    )


def serve_service(definition: ServiceDefinition) -> None:
    """`python -m services.<name>`: one service in its own process (scale-out)."""
    settings = ServiceSettings()
    serve(
        create_process_app([definition], settings, name=definition.name),
        settings,
        name=definition.name,
    )

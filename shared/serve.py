"""Process entrypoint: one or more service runtimes behind one HTTP app, served by uvicorn."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from shared.bus import Broker
from shared.bus.kafka import KafkaBroker
from shared.bus.local import LocalLogBroker
from shared.http import create_app
from shared.logging import configure_logging
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.settings import ServiceSettings
from shared.topics import all_topics


def build_broker(settings: ServiceSettings) -> Broker:
    if settings.bus == "kafka":
        return KafkaBroker(settings.kafka, namespace=settings.namespace)
    return LocalLogBroker(settings.local_log_path)


def create_process_app(
    definitions: Sequence[ServiceDefinition],
    settings: ServiceSettings,
    *,
    name: str,
) -> FastAPI:
    """Build the app that runs `definitions` in this process (all five when embedded)."""
    broker = build_broker(settings)
    runtimes = [ServiceRuntime(d, settings, broker) for d in definitions]

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await broker.start()
        await broker.ensure_topics(all_topics())
        for runtime in runtimes:
            await runtime.start()
        try:
            for runtime in runtimes:
                if settings.seed_demo and runtime.definition.demo_data is not None:
                    await runtime.definition.demo_data(runtime)
            yield
        finally:
            for runtime in runtimes:
                await runtime.stop()
            await broker.close()

    async def readiness() -> dict[str, bool]:
        checks: dict[str, bool] = {}
        for runtime in runtimes:
            checks |= await runtime.readiness()
        return checks

    routers = [router for r in runtimes for router in r.definition.routers(r)]
    return create_app(service=name, routers=routers, lifespan=lifespan, readiness=readiness)


def serve(app: FastAPI, settings: ServiceSettings, *, name: str) -> None:
    configure_logging(service=name, level=settings.log_level)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)


def serve_service(definition: ServiceDefinition) -> None:
    """`python -m services.<name>`: one service in its own process (scale-out)."""
    settings = ServiceSettings()
    serve(
        create_process_app([definition], settings, name=definition.name),
        settings,
        name=definition.name,
    )

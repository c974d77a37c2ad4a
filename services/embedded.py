"""Embedded mode: all five services in ONE process on SQLite and the durable local log.

python -m services.embedded  (GAPLESS_DATA_DIR, GAPLESS_PORT configure it)
"""

from collections.abc import Sequence

from fastapi import FastAPI

from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.serve import create_process_app, serve
from shared.settings import ServiceSettings
from services import demo
from services.andon.service import DEFINITION as ANDON
from services.credit.service import DEFINITION as CREDIT
from services.fulfillment.service import DEFINITION as FULFILLMENT
from services.inventory.service import DEFINITION as INVENTORY
from services.order.service import DEFINITION as ORDER

ALL_SERVICES: Sequence[ServiceDefinition] = (ORDER, INVENTORY, CREDIT, FULFILLMENT, ANDON)


def create_embedded_app(settings: ServiceSettings, *, seed_demo: bool = True) -> FastAPI:
    async def seed(runtimes: Sequence[ServiceRuntime]) -> None:
        await demo.seed({runtime.name: runtime for runtime in runtimes})

    return create_process_app(
        ALL_SERVICES, settings, name="embedded", seed=seed if seed_demo else None
    )


def main() -> None:
    settings = ServiceSettings(bus="local")
    serve(create_embedded_app(settings), settings, name="embedded")


if __name__ == "__main__":
    main()

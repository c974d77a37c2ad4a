"""Embedded mode: all five services in ONE process on SQLite and the durable local log.

python -m services.embedded  (GAPLESS_DATA_DIR, GAPLESS_PORT configure it)
"""

import os
from collections.abc import Sequence

from fastapi import FastAPI

from services.andon.service import DEFINITION as ANDON
from services.credit.service import DEFINITION as CREDIT
from services.fulfillment.service import DEFINITION as FULFILLMENT
from services.inventory.service import DEFINITION as INVENTORY
from services.order.service import DEFINITION as ORDER
from shared.runtime import ServiceDefinition
from shared.serve import create_process_app, serve
from shared.settings import ServiceSettings

ALL_SERVICES: Sequence[ServiceDefinition] = (ORDER, INVENTORY, CREDIT, FULFILLMENT, ANDON)


def create_embedded_app(settings: ServiceSettings) -> FastAPI:
    return create_process_app(ALL_SERVICES, settings, name="embedded")


def main() -> None:
    # Embedded is the try-it-now mode: demo data unless GAPLESS_SEED_DEMO=false.
    settings = ServiceSettings(
        bus="local", seed_demo=os.environ.get("GAPLESS_SEED_DEMO") != "false"
    )
    serve(create_embedded_app(settings), settings, name="embedded")


if __name__ == "__main__":
    main()

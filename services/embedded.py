"""Embedded mode: all five services in ONE process on SQLite and the durable local log.

python -m services.embedded  (GAPLESS_DATA_DIR, GAPLESS_PORT configure it)
"""

import logging
import os
from collections.abc import Sequence

from fastapi import FastAPI

from services.andon.service import DEFINITION as ANDON
from services.credit.service import DEFINITION as CREDIT
from services.fulfillment.service import DEFINITION as FULFILLMENT
from services.inventory.service import DEFINITION as INVENTORY
from services.order.service import DEFINITION as ORDER
from services.simulator.service import DEFINITION as SIMULATOR
from shared.auth import create_credentials
from shared.logging import configure_logging
from shared.runtime import ServiceDefinition
from shared.serve import create_process_app, serve
from shared.settings import ServiceSettings

logger = logging.getLogger(__name__)

# The simulated WMS/TMS runs alongside, answering fulfillment's requests like a real one would.
ALL_SERVICES: Sequence[ServiceDefinition] = (
    ORDER,
    INVENTORY,
    CREDIT,
    FULFILLMENT,
    ANDON,
    SIMULATOR,
)


def create_embedded_app(settings: ServiceSettings) -> FastAPI:
    return create_process_app(ALL_SERVICES, settings, name="embedded")


def _demo_credentials(settings: ServiceSettings) -> None:
    """A new installation gets one channel, one staff and one ops key to try the API with."""
    if settings.keys_path.exists():
        return
    folder = settings.keys_path.parent
    keys = create_credentials(folder)
    logger.warning(
        "created API keys (saved in %s): %s",
        folder / "credentials.json",
        ", ".join(f"{name}={key}" for name, key in keys.items()),
    )


def main() -> None:
    # Embedded is the try-it-now mode: demo data unless GAPLESS_SEED_DEMO=false.
    settings = ServiceSettings(
        bus="local", seed_demo=os.environ.get("GAPLESS_SEED_DEMO") != "false"
    )
    configure_logging(service="embedded", level=settings.log_level)
    _demo_credentials(settings)
    serve(create_embedded_app(settings), settings, name="embedded")


if __name__ == "__main__":
    main()

"""Embedded mode: the whole product as one command on SQLite and the durable local log.

python -m services.embedded  (GAPLESS_DATA_DIR, GAPLESS_PORT configure it)

One process serves every HTTP route and runs the order service, where intake happens; each
other service does its event work in a child process of its own (`python -m
services.embedded SERVICE`), so the product uses every core. GAPLESS_EMBEDDED_WORKERS=false
keeps it all in one process.
"""

import logging
import os
import sys

import uvloop
from fastapi import FastAPI

from services.order.service import DEFINITION as ORDER
from services.roster import ALL_SERVICES, definition
from shared.auth import create_credentials
from shared.console import web as console
from shared.logging import configure_logging
from shared.serve import build_broker, create_process_app, serve
from shared.settings import ServiceSettings
from shared.workers import WorkerProcesses, run_worker

logger = logging.getLogger(__name__)

# Intake and the order's own reactions share the HTTP process; the rest work in children.
IN_WORKERS = tuple(d.name for d in ALL_SERVICES if d is not ORDER)


def create_embedded_app(settings: ServiceSettings, *, workers: bool = True) -> FastAPI:
    app = create_process_app(
        ALL_SERVICES,
        settings,
        name="embedded",
        workers=WorkerProcesses("services.embedded", IN_WORKERS) if workers else None,
    )
    console.install(app, docs=False)  # create_process_app installed the docs
    return app


def _settings() -> ServiceSettings:
    # Embedded is the try-it-now mode: demo data unless GAPLESS_SEED_DEMO=false.
    return ServiceSettings(bus="local", seed_demo=os.environ.get("GAPLESS_SEED_DEMO") != "false")


def _demo_credentials(settings: ServiceSettings) -> None:
    """A new installation gets one channel, one staff and one ops key to try the API with,
    shown once on the terminal (not only in the JSON log)."""
    if settings.keys_path.exists():
        return
    folder = settings.keys_path.parent
    keys = create_credentials(folder)
    logger.info("created API keys, saved in %s", folder / "credentials.json")
    url = f"http://{settings.host}:{settings.port}"
    lines = [
        f"gapless: a new installation in {settings.data_dir}/ - its API keys, saved in"
        f" {folder / 'credentials.json'}:",
        *(f"  {name:<12} {key}" for name, key in keys.items()),
        f"  try: curl -H 'Authorization: Bearer {keys['ops_key']}' {url}/v1/orders",
        f"  API docs: {url}/docs",
    ]
    sys.stderr.write("\n".join(lines) + "\n")


def _worker(service: str) -> None:
    settings = _settings().model_copy(update={"seed_demo": False})
    configure_logging(service=service, level=settings.log_level)
    worker = definition(service)
    uvloop.run(run_worker(worker, settings, build_broker(settings)))


def main() -> None:
    if len(sys.argv) == 2:  # a worker: SERVICE (see shared/workers.py)
        _worker(sys.argv[1])
        return
    settings = _settings()
    configure_logging(service="embedded", level=settings.log_level)
    _demo_credentials(settings)
    serve(
        create_embedded_app(settings, workers=settings.embedded_workers),
        settings,
        name="embedded",
    )


if __name__ == "__main__":
    main()

"""Order HTTP API: thin routes that send one command or run one query."""

from fastapi import APIRouter

from services.order.api.kpis import kpis_router
from services.order.api.master_data import master_data_routers
from services.order.api.orders import orders_router
from services.order.api.webhooks import webhook_docs, webhooks_router
from shared.runtime import ServiceRuntime


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    return [
        orders_router(runtime),
        *master_data_routers(runtime),
        kpis_router(runtime),
        webhooks_router(runtime),
        webhook_docs(),
    ]

"""Order HTTP API: thin routes that send one command or run one query."""

from services.order.api import kpis, master_data, orders, webhooks

ROUTERS = (*orders.ROUTERS, *master_data.ROUTERS, *kpis.ROUTERS, *webhooks.ROUTERS)

"""The inventory service as the runtime sees it."""

from services.inventory import api, demo, handlers, inbound, views
from services.inventory.events import PUBLISHED
from shared.consumer import Route
from shared.runtime import ServiceDefinition, Subscriptions
from shared.topics import events_topic

DEFINITION = ServiceDefinition(
    name="inventory",
    published=PUBLISHED,
    subscriptions=(
        Subscriptions(
            topics=(events_topic("order"),),
            routes={
                "OrderPlaced": Route(inbound.OrderPlaced, handlers.reserve_stock_when_order_placed)
            },
        ),
    ),
    projections=(views.project,),
    read_models=views.metadata,
    routers=api.routers,
    demo_data=demo.seed,
)

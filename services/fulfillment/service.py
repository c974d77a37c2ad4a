"""The fulfillment service as the runtime sees it."""

from services.fulfillment import api, handlers, inbound, views
from services.fulfillment.events import PUBLISHED
from shared.consumer import Route
from shared.runtime import ServiceDefinition, Subscriptions
from shared.topics import events_topic

DEFINITION = ServiceDefinition(
    name="fulfillment",
    published=PUBLISHED,
    subscriptions=(
        Subscriptions(
            topics=(events_topic("order"),),
            routes={
                "OrderReleased": Route(
                    inbound.OrderReleased, handlers.request_fulfillment_when_order_released
                )
            },
        ),
    ),
    projections=(views.project,),
    read_models=views.metadata,
    routers=api.routers,
)

"""The credit service as the runtime sees it."""

from services.credit import api, handlers, inbound
from services.credit.events import PUBLISHED
from shared.consumer import Route
from shared.runtime import ServiceDefinition, Subscriptions
from shared.topics import events_topic

DEFINITION = ServiceDefinition(
    name="credit",
    published=PUBLISHED,
    subscriptions=(
        Subscriptions(
            topics=(events_topic("order"),),
            routes={
                "OrderPlaced": Route(inbound.OrderPlaced, handlers.check_credit_when_order_placed)
            },
        ),
    ),
    routers=api.routers,
)

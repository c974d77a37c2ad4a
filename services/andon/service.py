"""The andon service as the runtime sees it: it listens to every other group's dead letters."""

from services.andon import api, handlers, inbound, views
from services.andon.events import PUBLISHED
from shared.consumer import Route
from shared.deadletter import DEAD_LETTERED, decode_dead_letter, dlq_topic
from shared.runtime import ServiceDefinition, Subscriptions

WATCHED_GROUPS = ("order", "inventory", "credit", "fulfillment")

DEFINITION = ServiceDefinition(
    name="andon",
    published=PUBLISHED,
    subscriptions=(
        Subscriptions(
            topics=tuple(dlq_topic(group) for group in WATCHED_GROUPS),
            routes={
                DEAD_LETTERED: Route(
                    inbound.MessageDeadLettered, handlers.raise_andon_when_message_dead_lettered
                )
            },
            decode=decode_dead_letter,
        ),
    ),
    projections=(views.project,),
    read_models=views.metadata,
    routers=api.routers,
)

"""The order service as the runtime sees it: what it publishes, consumes, projects and serves."""

from services.order import api, demo, handlers, inbound, views
from services.order.events import PUBLISHED
from shared.consumer import Route
from shared.runtime import ServiceDefinition, Subscriptions
from shared.topics import events_topic

DEFINITION = ServiceDefinition(
    name="order",
    published=PUBLISHED,
    subscriptions=(
        Subscriptions(
            topics=(events_topic("credit"), events_topic("inventory")),
            routes={
                "CreditApproved": Route(
                    inbound.CreditApproved, handlers.record_credit_when_credit_approved
                ),
                "CreditDeclined": Route(
                    inbound.CreditDeclined, handlers.reject_order_when_credit_declined
                ),
                "StockReserved": Route(
                    inbound.StockReserved, handlers.record_reservation_when_stock_reserved
                ),
                "StockShortage": Route(inbound.StockShortage, handlers.hold_order_when_stock_short),
            },
        ),
    ),
    projections=(views.project,),
    read_models=views.metadata,
    other_tables=views.idempotency_metadata,
    routers=api.routers,
    demo_data=demo.seed,
)

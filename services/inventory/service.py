"""The inventory service as the runtime sees it."""

from services.inventory import api, demo, handlers, inbound, views
from services.inventory.commands import ReceiveStock
from services.inventory.domain import Stock
from services.inventory.domain.fact_report import StockFactReport
from services.inventory.events import PUBLISHED
from services.inventory.handlers import facts
from shared.consumer import Route
from shared.facts import ReconciliationRequested
from shared.runtime import ServiceDefinition, Subscriptions
from shared.topics import events_topic


def _stocks(
    event: inbound.OrderPlaced
    | inbound.ShipmentShipped
    | inbound.OrderReleased
    | inbound.OrderShortPicked,
) -> list[tuple[type[Stock], str]]:
    # In the handlers' own order, so events of several SKUs are recorded as they would be anyway.
    return [(Stock, sku) for sku in inbound.quantities_by_sku(event.lines)]


def _committed_stocks(event: inbound.OrderReleased) -> list[tuple[type[Stock], str]]:
    if event.protection_floor == 0:
        return []  # the handler touches no stock
    return _stocks(event)


def _the_stock(event: inbound.BumpAnswer) -> list[tuple[type[Stock], str]]:
    return [(Stock, event.sku)]


DEFINITION = ServiceDefinition(
    name="inventory",
    published=PUBLISHED,
    subscriptions=(
        Subscriptions(
            topics=(events_topic("order"), events_topic("fulfillment"), events_topic("andon")),
            routes={
                "ItemDefined": Route(
                    inbound.ItemDefined, handlers.set_reorder_point_when_item_defined
                ),
                "OrderPlaced": Route(
                    inbound.OrderPlaced, handlers.reserve_stock_when_order_placed, preload=_stocks
                ),
                "OrderChanged": Route(
                    inbound.OrderChanged, handlers.adjust_stock_when_order_changed
                ),
                "OrderCancelled": Route(
                    inbound.OrderEnded, handlers.release_stock_when_order_ended
                ),
                "OrderRejected": Route(inbound.OrderEnded, handlers.release_stock_when_order_ended),
                "OrderReleased": Route(
                    inbound.OrderReleased,
                    handlers.commit_stock_when_order_released,
                    _committed_stocks,
                ),
                "ReservationYielded": Route(
                    inbound.BumpAnswer, handlers.settle_bump_when_order_answered, _the_stock
                ),
                "ReservationKept": Route(
                    inbound.BumpAnswer, handlers.settle_bump_when_order_answered, _the_stock
                ),
                "ShipmentShipped": Route(
                    inbound.ShipmentShipped, handlers.ship_stock_when_shipment_shipped, _stocks
                ),
                "ReturnReceived": Route(
                    inbound.ReturnReceived, handlers.take_back_stock_when_return_received
                ),
                "OrderShortPicked": Route(
                    inbound.OrderShortPicked,
                    handlers.write_off_stock_when_order_short_picked,
                    _stocks,
                ),
                "AndonPulled": Route(inbound.AndonEvent, handlers.stop_sale_when_andon_pulled),
                "AndonResolved": Route(
                    inbound.AndonEvent, handlers.resume_sale_when_andon_resolved
                ),
                "ReconciliationRequested": Route(
                    ReconciliationRequested, facts.report_facts_when_reconciliation_requested
                ),
            },
        ),
    ),
    aggregates=(Stock, StockFactReport),
    commands={ReceiveStock: handlers.receive_stock},
    projections=(views.project,),
    projected_aggregates=(Stock,),
    read_models=views.metadata,
    routers=api.ROUTERS,
    demo_data=demo.seed,
)

"""The order service as the runtime sees it: what it publishes, consumes, projects and serves.

Published on `order.events`: ItemDefined, CustomerDefined, CustomerClassified, ItemClassified,
PolicyChanged, OrderPlaced, OrderReleased, OrderChanged, OrderDeadlineChanged, OrderCancelled,
OrderRejected, OrderCompleted, OrderHeld, OrderHoldLifted, OrderShortPicked, ReturnRecorded,
ReservationYielded, ReservationKept (events.PUBLISHED). Reacts to credit, inventory and
fulfillment answers (a bump request of inventory's; shipments, their short picks and addresses,
invoices, payments, return receipts and credit notes) and to andon pulls (AndonPulled /
AndonResolved); keeps each SKU's stock level as inventory's events tell it (the catalogue's
available to promise); notes pick requests (wms.pick-requests), deliveries and complaints for
the KPIs.

Routes: GET /v1/items, GET /v1/items/{sku} (channel or staff), PUT /v1/items/{sku} (ops);
PUT /v1/customers/{customer_id} (ops);
GET /v1/customers/{customer_id} (staff); GET /v1/policy (staff); PUT /v1/policy (ops);
POST /v1/classifications/run (ops); POST /v1/orders, GET /v1/orders, GET /v1/orders/{order_id},
PATCH /v1/orders/{order_id}, POST /v1/orders/{order_id}/cancel,
POST /v1/orders/{order_id}/confirm, POST /v1/orders/{order_id}/returns (channel or staff);
GET /v1/kpis (staff); GET /v1/webhooks, PUT, GET, DELETE /v1/webhooks/{channel},
GET /v1/webhooks/{channel}/secret, POST /v1/webhooks/{channel}/secret/rotate,
GET /v1/webhooks/{channel}/deliveries, POST /v1/webhooks/{channel}/deliveries/redrive,
POST /v1/webhooks/{channel}/deliveries/{delivery_id}/redrive (the channel itself, or ops).
Sends OrderStatusChanged to each subscribed channel's webhook URL (services/order/webhooks).
"""

from datetime import timedelta

from services.order import api, demo, handlers, inbound, lookups, metrics
from services.order.commands import (
    CancelOrder,
    ChangeOrder,
    ChangePolicy,
    ClassifyCustomersAndItems,
    ConfirmOrder,
    DefineCustomer,
    DefineItem,
    ExpireConfirmations,
    PlaceOrder,
    RecordReturn,
    RedriveDeliveries,
    RegisterWebhook,
    RemoveWebhook,
    RotateWebhookSecret,
)
from services.order.domain import AndonPull, CatalogItem, Customer, Order, ServicePolicy
from services.order.domain.fact_report import OrderFactReport
from services.order.domain.flow_marks import FlowMarks
from services.order.domain.webhooks import OrderStatusChanged
from services.order.events import PUBLISHED
from services.order.handlers import facts, flow_marks
from services.order.settings import WebhookSettings
from services.order.views import kpis
from services.order.views.projection import project
from services.order.views.tables import kept_metadata, metadata
from services.order.webhooks.feed import queue_status_change
from services.order.webhooks.sender import WebhookSender
from shared.commands import Batched
from shared.consumer import Route, preload_by
from shared.facts import ReconciliationRequested
from shared.runtime import Schedule, ServiceDefinition, ServiceRuntime, Subscriptions
from shared.topics import WMS_PICK_REQUESTS, events_topic

_the_order = preload_by(Order, "order_id")
_the_marks = preload_by(FlowMarks, "order_id")


_webhooks = WebhookSettings()
_sender = WebhookSender(_webhooks)


async def send_webhooks(runtime: ServiceRuntime) -> None:
    await _sender.send_all_due(runtime.db, runtime.clock)


async def prune_webhook_deliveries(runtime: ServiceRuntime) -> None:
    await _sender.prune(runtime.db, runtime.clock)


async def refresh_metrics(runtime: ServiceRuntime) -> None:
    metrics.register()
    async with runtime.db.transaction() as conn:
        await metrics.refresh(conn)


ROUTES = {
    "CreditApproved": Route(
        inbound.CreditApproved, handlers.release_order_when_credit_approved, _the_order
    ),
    "CreditReviewRequired": Route(
        inbound.CreditReviewRequired, handlers.hold_order_when_credit_review_required, _the_order
    ),
    "CreditDeclined": Route(
        inbound.CreditDeclined, handlers.reject_order_when_credit_declined, _the_order
    ),
    "CreditReleased": Route(
        inbound.CreditReleased, handlers.record_release_when_credit_released, _the_order
    ),
    "StockReserved": Route(
        inbound.StockReserved, handlers.release_order_when_stock_reserved, _the_order
    ),
    "StockBackordered": Route(
        inbound.StockBackordered, handlers.hold_order_when_stock_backordered, _the_order
    ),
    "StockReleased": Route(
        inbound.StockReleased, handlers.record_release_when_stock_released, _the_order
    ),
    "StockBumpRequested": Route(
        inbound.StockBumpRequested, handlers.answer_bump_when_stock_bump_requested, _the_order
    ),
    "StockBumped": Route(inbound.StockBumped, handlers.resume_order_when_stock_bumped, _the_order),
    # The catalogue's available to promise: every event that moves a SKU's stock tells its level.
    **dict.fromkeys(
        (
            "StockReceived",
            "StockShipped",
            "StockShortPicked",
            "StockReturned",
            "StockSaleStopped",
            "StockSaleResumed",
        ),
        Route(inbound.StockChanged, handlers.note_stock_when_stock_changed),
    ),
    "ShipmentShipped": Route(
        inbound.ShipmentShipped, handlers.record_shipment_when_shipment_shipped, _the_order
    ),
    "ShipmentShortPicked": Route(
        inbound.ShipmentShortPicked, handlers.replan_when_shipment_short_picked, _the_order
    ),
    "ShipmentAddressChanged": Route(
        inbound.ShipmentAddressChanged,
        handlers.record_address_when_shipment_address_changed,
        _the_order,
    ),
    "ShipmentAddressChangeRefused": Route(
        inbound.ShipmentAddressChangeRefused,
        handlers.record_refusal_when_shipment_address_change_refused,
        _the_order,
    ),
    "InvoiceIssued": Route(
        inbound.InvoiceIssued, handlers.record_invoice_when_invoice_issued, _the_order
    ),
    "InvoicePaid": Route(
        inbound.InvoicePaid, handlers.complete_order_when_invoice_paid, _the_order
    ),
    # A return's receipt and credit notes, for the order's timeline.
    "ReturnReceived": Route(
        inbound.ReturnReceived, handlers.record_receipt_when_return_received, _the_order
    ),
    "CreditNoteIssued": Route(
        inbound.CreditNoteIssued, handlers.record_credit_note_when_credit_note_issued, _the_order
    ),
    "AndonPulled": Route(inbound.AndonPulled, handlers.hold_orders_when_andon_pulled),
    "ReconciliationRequested": Route(
        ReconciliationRequested, facts.report_facts_when_reconciliation_requested
    ),
    "AndonResolved": Route(inbound.AndonResolved, handlers.resume_orders_when_andon_resolved),
    # Noted for the KPIs (processing time ends at the pick request; cycle time at delivery).
    "PickRequested": Route(
        inbound.PickRequested, flow_marks.note_pick_request_when_pick_requested, _the_marks
    ),
    "ShipmentDelivered": Route(
        inbound.ShipmentDelivered, flow_marks.note_delivery_when_shipment_delivered, _the_marks
    ),
    # A complaint makes the order imperfect (perfect-order rate).
    "ComplaintRecorded": Route(
        inbound.ComplaintRecorded, flow_marks.note_complaint_when_complaint_recorded, _the_marks
    ),
}

DEFINITION = ServiceDefinition(
    name="order",
    published=PUBLISHED,
    subscriptions=(
        Subscriptions(
            topics=(
                events_topic("credit"),
                events_topic("inventory"),
                events_topic("fulfillment"),
                events_topic("andon"),
                WMS_PICK_REQUESTS,
            ),
            routes=ROUTES,
        ),
    ),
    aggregates=(
        Order,
        Customer,
        CatalogItem,
        ServicePolicy,
        AndonPull,
        FlowMarks,
        OrderFactReport,
    ),
    projections=(project, lookups.project, kpis.projection),
    outboxes=(queue_status_change,),
    webhook_events=(OrderStatusChanged,),
    projected_aggregates=(Order,),
    read_models=metadata,
    lookups=lookups.metadata,
    other_tables=(kept_metadata, lookups.kept_metadata),
    routers=api.ROUTERS,
    demo_data=demo.seed,
    commands={
        PlaceOrder: Batched(handlers.place_orders),
        ChangeOrder: handlers.change_order,
        CancelOrder: handlers.cancel_order,
        ConfirmOrder: handlers.confirm_order,
        RecordReturn: handlers.record_return,
        DefineItem: handlers.define_item,
        DefineCustomer: handlers.define_customer,
        ChangePolicy: handlers.change_policy,
        ClassifyCustomersAndItems: handlers.classify,
        ExpireConfirmations: handlers.expire_confirmations,
        RegisterWebhook: handlers.register_webhook,
        RotateWebhookSecret: handlers.rotate_webhook_secret,
        RemoveWebhook: handlers.remove_webhook,
        RedriveDeliveries: handlers.redrive_deliveries,
    },
    schedules=(
        Schedule.sending("classify", timedelta(days=1), ClassifyCustomersAndItems),
        Schedule.sending("confirmation-timeout", timedelta(seconds=30), ExpireConfirmations),
        Schedule("flow-metrics", timedelta(seconds=15), refresh_metrics, for_http=True),
        Schedule("webhooks", timedelta(seconds=_webhooks.every_seconds), send_webhooks),
        Schedule(
            "webhook-retention", timedelta(hours=1), prune_webhook_deliveries, own_interval=True
        ),
    ),
)

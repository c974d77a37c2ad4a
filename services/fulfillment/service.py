"""The fulfillment service as the runtime sees it."""

from datetime import timedelta

from services.fulfillment import api, inbound, lookups, views
from services.fulfillment.commands import (
    WAVE_SIZE,
    ConfirmShipmentStep,
    ReceiveReturn,
    RecordPayment,
    ReleasePickWave,
)
from services.fulfillment.domain import CustomerReturn, Invoice, PickStop, Shipment
from services.fulfillment.domain.fact_report import FulfillmentFactReport
from services.fulfillment.events import (
    PUBLISHED,
    PickCancelled,
    PickRequested,
    ShipmentRequestAmended,
    ShipmentRequestCancelled,
    ShipmentRequested,
)
from services.fulfillment.handlers import (
    andon,
    confirmations,
    facts,
    payments,
    releases,
    returns,
    waves,
)
from shared.consumer import Route
from shared.facts import ReconciliationRequested
from shared.runtime import Schedule, ServiceDefinition, Subscriptions
from shared.topics import (
    TMS_CONFIRMATIONS,
    TMS_SHIPMENT_REQUESTS,
    WMS_CONFIRMATIONS,
    WMS_PICK_REQUESTS,
    events_topic,
)

PICK_WAVE_EVERY = timedelta(seconds=2)

DEFINITION = ServiceDefinition(
    name="fulfillment",
    published=PUBLISHED,
    published_elsewhere={
        PickRequested: WMS_PICK_REQUESTS,
        PickCancelled: WMS_PICK_REQUESTS,
        ShipmentRequested: TMS_SHIPMENT_REQUESTS,
        ShipmentRequestAmended: TMS_SHIPMENT_REQUESTS,
        ShipmentRequestCancelled: TMS_SHIPMENT_REQUESTS,
    },
    subscriptions=(
        Subscriptions(
            topics=(
                events_topic("order"),
                events_topic("andon"),
                WMS_CONFIRMATIONS,
                TMS_CONFIRMATIONS,
            ),
            routes={
                "OrderReleased": Route(
                    inbound.OrderReleased, releases.plan_shipment_when_order_released
                ),
                "OrderChanged": Route(
                    inbound.OrderChanged, releases.change_addresses_when_order_changed
                ),
                "OrderCancelled": Route(
                    inbound.OrderCancelled, releases.cancel_shipments_when_order_cancelled
                ),
                "ReturnRecorded": Route(
                    inbound.ReturnRecorded, returns.expect_goods_when_return_recorded
                ),
                "Picked": Route(inbound.Confirmation, confirmations.record_pick_when_picked),
                "Packed": Route(inbound.Confirmation, confirmations.request_transport_when_packed),
                "Shipped": Route(inbound.ShippedConfirmation, confirmations.invoice_when_shipped),
                "Delivered": Route(
                    inbound.Confirmation, confirmations.record_delivery_when_delivered
                ),
                "AndonPulled": Route(inbound.AndonEvent, andon.hold_shipments_when_andon_pulled),
                "ReconciliationRequested": Route(
                    ReconciliationRequested, facts.report_facts_when_reconciliation_requested
                ),
                "AndonResolved": Route(inbound.AndonEvent, andon.lift_holds_when_andon_resolved),
            },
        ),
    ),
    aggregates=(Shipment, Invoice, PickStop, CustomerReturn, FulfillmentFactReport),
    commands={
        RecordPayment: payments.record_payment,
        ReceiveReturn: returns.receive_return,
        ConfirmShipmentStep: confirmations.confirm_shipment_step,
        ReleasePickWave: waves.release_pick_wave,
    },
    projections=(views.project, lookups.project),
    # The read models show what a short pick left of each shipment and what credit notes took
    # off each invoice.
    projected_aggregates=(Shipment, Invoice),
    read_models=views.metadata,
    lookups=lookups.metadata,
    routers=api.ROUTERS,
    schedules=(
        Schedule.sending(
            "pick waves",
            PICK_WAVE_EVERY,
            ReleasePickWave,
            again=lambda sent: sent >= WAVE_SIZE,
            at_most=waves.WAVES_PER_RUN,
        ),
    ),
)

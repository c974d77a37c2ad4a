"""The andon service as the runtime sees it: dead letters, every order's hand-offs, schedules."""

from datetime import timedelta

from services.andon import api, handlers, inbound, lookups, metrics, views
from services.andon.commands import (
    AuditImprovements,
    DetectGaps,
    PullAndon,
    Reconcile,
    RecordComplaint,
    ResolveAndon,
    ReviseImprovement,
)
from services.andon.domain import (
    AndonTarget,
    CrossCheck,
    CrossCheckCursor,
    DeadlinePolicy,
    DefectPolicy,
    DefectWatch,
    OrderWatch,
    ReconciliationRun,
)
from services.andon.domain.improvement import Improvement
from services.andon.events import PUBLISHED
from services.andon.handlers.improvements import AUDITS_PER_ROUND
from services.andon.handlers.reconciliation import ANSWERED_BY
from services.andon.settings import AndonSettings
from shared.consumer import Route, preload_by
from shared.deadletter import DEAD_LETTERED, decode_dead_letter, dlq_topic
from shared.runtime import Schedule, ServiceDefinition, ServiceRuntime, Subscriptions
from shared.topics import events_topic

# Andon's own too: a hand-off the watch could not follow pulls an andon like any other. A dead
# letter this consumer cannot handle stays in its DLQ (shared/consumer.py): no loop.
WATCHED_GROUPS = ("order", "inventory", "credit", "fulfillment", "simulator", "andon")

DEAD_LETTERS = Subscriptions(
    topics=tuple(dlq_topic(group) for group in WATCHED_GROUPS),
    routes={
        DEAD_LETTERED: Route(
            inbound.MessageDeadLettered, handlers.pull_andon_when_message_dead_lettered
        )
    },
    decode=decode_dead_letter,
)


_the_watch = preload_by(OrderWatch, "order_id")


HAND_OFFS = Subscriptions(
    topics=tuple(events_topic(s) for s in ("order", "inventory", "credit", "fulfillment")),
    routes={
        "OrderPlaced": Route(
            inbound.OrderPlaced, handlers.watch_order_when_order_placed, _the_watch
        ),
        "OrderChanged": Route(
            inbound.OrderChanged, handlers.follow_change_when_order_changed, _the_watch
        ),
        "OrderDeadlineChanged": Route(
            inbound.OrderDeadlineChanged,
            handlers.move_deadline_when_order_deadline_changed,
            _the_watch,
        ),
        "OrderReleased": Route(
            inbound.OrderReleased, handlers.record_release_when_order_released, _the_watch
        ),
        "OrderCancelled": Route(
            inbound.OrderEnded, handlers.end_watch_when_order_ended, _the_watch
        ),
        "OrderRejected": Route(inbound.OrderEnded, handlers.end_watch_when_order_ended, _the_watch),
        "OrderCompleted": Route(
            inbound.OrderEnded, handlers.end_watch_when_order_ended, _the_watch
        ),
        "OrderHeld": Route(inbound.OrderHold, handlers.note_hold_when_order_held, _the_watch),
        "OrderHoldLifted": Route(
            inbound.OrderHold, handlers.lift_hold_when_order_hold_lifted, _the_watch
        ),
        "ItemDefined": Route(inbound.ItemDefined, handlers.know_sku_when_item_defined),
        "CustomerDefined": Route(
            inbound.CustomerDefined, handlers.know_customer_when_customer_defined
        ),
        "ReturnRecorded": Route(
            inbound.ReturnRecorded, handlers.count_defects_when_return_recorded
        ),
        "PolicyChanged": Route(inbound.PolicyChanged, handlers.adopt_policy_when_policy_changed),
        "StockReserved": Route(
            inbound.StockReserved, handlers.record_stock_when_stock_reserved, _the_watch
        ),
        "StockBackordered": Route(
            inbound.StockBackordered, handlers.record_stock_when_stock_backordered, _the_watch
        ),
        "StockReleased": Route(
            inbound.StockReleased, handlers.record_stock_when_stock_released, _the_watch
        ),
        # A bump leaves the line's totals, as a release does.
        "StockBumped": Route(
            inbound.StockReleased, handlers.record_stock_when_stock_released, _the_watch
        ),
        "CreditApproved": Route(
            inbound.CreditAnswered, handlers.record_credit_when_credit_answered, _the_watch
        ),
        "CreditReviewRequired": Route(
            inbound.CreditAnswered, handlers.record_credit_when_credit_answered, _the_watch
        ),
        "CreditDeclined": Route(
            inbound.CreditAnswered, handlers.record_credit_when_credit_answered, _the_watch
        ),
        "ShipmentShipped": Route(
            inbound.ShipmentShipped, handlers.record_shipment_when_shipment_shipped, _the_watch
        ),
        "ShipmentCancelled": Route(
            inbound.ShipmentCancelled,
            handlers.stop_awaiting_shipment_when_shipment_cancelled,
            _the_watch,
        ),
        **{
            answer: Route(inbound.FactsReported, handlers.note_facts_when_facts_reported)
            for answer in ANSWERED_BY
        },
        "ShipmentDelivered": Route(
            inbound.ShipmentDelivered, handlers.record_delivery_when_shipment_delivered, _the_watch
        ),
        "InvoiceIssued": Route(
            inbound.InvoiceIssued, handlers.record_invoice_when_invoice_issued, _the_watch
        ),
        "InvoicePaid": Route(
            inbound.InvoicePaid, handlers.record_payment_when_invoice_paid, _the_watch
        ),
    },
)


async def refresh_metrics(runtime: ServiceRuntime) -> None:
    metrics.register()
    async with runtime.db.transaction() as conn:
        await metrics.refresh(conn)


def _watchdog_round() -> DetectGaps:
    # Settings are read here, in the composition root, and travel in the command.
    return DetectGaps(timeouts=AndonSettings().timeouts())


def _reconciliation() -> Reconcile:
    settings = AndonSettings()
    return Reconcile(timeouts=settings.timeouts(), page_size=settings.reconcile_page_size)


DEFINITION = ServiceDefinition(
    name="andon",
    published=PUBLISHED,
    # Two consumers: a poison record in a DLQ must never hold up the watchdog's hand-offs.
    subscriptions=(DEAD_LETTERS, HAND_OFFS),
    aggregates=(
        OrderWatch,
        CrossCheck,
        CrossCheckCursor,
        AndonTarget,
        DefectWatch,
        DefectPolicy,
        DeadlinePolicy,
        ReconciliationRun,
        Improvement,
    ),
    commands={
        PullAndon: handlers.pull_andon,
        ResolveAndon: handlers.resolve_andon,
        RecordComplaint: handlers.record_complaint,
        DetectGaps: handlers.detect_gaps,
        Reconcile: handlers.reconcile,
        AuditImprovements: handlers.audit_improvements,
        ReviseImprovement: handlers.revise_improvement,
    },
    projections=(views.project, lookups.project),
    read_models=views.metadata,
    lookups=lookups.metadata,
    routers=api.ROUTERS,
    schedules=(
        Schedule.sending("gap-watchdog", timedelta(seconds=5), _watchdog_round),
        Schedule.sending(
            "reconciliation",
            timedelta(seconds=AndonSettings().reconcile_every_seconds),
            _reconciliation,
            own_interval=True,
        ),
        Schedule("andon-metrics", timedelta(seconds=15), refresh_metrics, for_http=True),
        Schedule.sending(
            "improvement-audit",
            timedelta(minutes=1),
            AuditImprovements,
            again=lambda audited: audited == AUDITS_PER_ROUND,
            at_most=10,
        ),
    ),
)

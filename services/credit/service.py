"""The credit service as the runtime sees it."""

from services.credit import api, handlers, inbound, views
from services.credit.commands import DecideReview
from services.credit.domain import CreditAccount
from services.credit.domain.fact_report import CreditFactReport
from services.credit.events import PUBLISHED
from services.credit.handlers import facts
from shared.consumer import Route, preload_by
from shared.facts import ReconciliationRequested
from shared.runtime import ServiceDefinition, Subscriptions
from shared.topics import events_topic

ORDER_ENDED = Route(inbound.OrderEnded, handlers.release_credit_when_order_ended)

DEFINITION = ServiceDefinition(
    name="credit",
    published=PUBLISHED,
    subscriptions=(
        Subscriptions(
            topics=(events_topic("order"), events_topic("fulfillment"), events_topic("andon")),
            routes={
                "CustomerDefined": Route(
                    inbound.CustomerDefined, handlers.define_profile_when_customer_defined
                ),
                "OrderPlaced": Route(
                    inbound.OrderPlaced,
                    handlers.check_credit_when_order_placed,
                    preload=preload_by(CreditAccount, "customer_id"),
                ),
                "OrderChanged": Route(
                    inbound.OrderChanged, handlers.recheck_credit_when_order_changed
                ),
                "OrderCancelled": ORDER_ENDED,
                "OrderRejected": ORDER_ENDED,
                "OrderShortPicked": Route(
                    inbound.OrderShortPicked, handlers.release_credit_when_order_short_picked
                ),
                "PaymentRecorded": Route(
                    inbound.PaymentRecorded, handlers.release_credit_when_payment_recorded
                ),
                "CreditNoteIssued": Route(
                    inbound.CreditNoteIssued, handlers.release_credit_when_credit_note_issued
                ),
                "ReconciliationRequested": Route(
                    ReconciliationRequested, facts.report_facts_when_reconciliation_requested
                ),
            },
        ),
    ),
    aggregates=(CreditAccount, CreditFactReport),
    commands={DecideReview: handlers.decide_review},
    projections=(views.project,),
    read_models=views.metadata,
    routers=api.ROUTERS,
)

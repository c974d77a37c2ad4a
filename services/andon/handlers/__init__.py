"""Andon use cases, one module each."""

from services.andon.handlers.defects import count_defects_when_return_recorded, record_complaint
from services.andon.handlers.gaps import detect_gaps
from services.andon.handlers.improvements import audit_improvements, revise_improvement
from services.andon.handlers.policy import adopt_policy_when_policy_changed
from services.andon.handlers.pull_andon import pull_andon, pull_andon_when_message_dead_lettered
from services.andon.handlers.reconciliation import note_facts_when_facts_reported, reconcile
from services.andon.handlers.resolve_andon import resolve_andon
from services.andon.handlers.targets import (
    know_customer_when_customer_defined,
    know_sku_when_item_defined,
)
from services.andon.handlers.watch_orders import (
    end_watch_when_order_ended,
    follow_change_when_order_changed,
    lift_hold_when_order_hold_lifted,
    move_deadline_when_order_deadline_changed,
    note_hold_when_order_held,
    record_credit_when_credit_answered,
    record_delivery_when_shipment_delivered,
    record_invoice_when_invoice_issued,
    record_payment_when_invoice_paid,
    record_release_when_order_released,
    record_shipment_when_shipment_shipped,
    record_stock_when_stock_backordered,
    record_stock_when_stock_released,
    record_stock_when_stock_reserved,
    stop_awaiting_shipment_when_shipment_cancelled,
    watch_order_when_order_placed,
)

__all__ = [
    "adopt_policy_when_policy_changed",
    "audit_improvements",
    "count_defects_when_return_recorded",
    "detect_gaps",
    "end_watch_when_order_ended",
    "follow_change_when_order_changed",
    "move_deadline_when_order_deadline_changed",
    "know_customer_when_customer_defined",
    "know_sku_when_item_defined",
    "lift_hold_when_order_hold_lifted",
    "note_facts_when_facts_reported",
    "note_hold_when_order_held",
    "pull_andon",
    "pull_andon_when_message_dead_lettered",
    "reconcile",
    "record_complaint",
    "record_credit_when_credit_answered",
    "record_delivery_when_shipment_delivered",
    "record_invoice_when_invoice_issued",
    "record_payment_when_invoice_paid",
    "record_release_when_order_released",
    "record_shipment_when_shipment_shipped",
    "record_stock_when_stock_backordered",
    "record_stock_when_stock_released",
    "record_stock_when_stock_reserved",
    "resolve_andon",
    "revise_improvement",
    "stop_awaiting_shipment_when_shipment_cancelled",
    "watch_order_when_order_placed",
]

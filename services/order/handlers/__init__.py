"""Order use cases: commands from the API and schedules, reactions to other departments."""

from services.order.handlers.andon_stops import (
    hold_orders_when_andon_pulled,
    resume_orders_when_andon_resolved,
)
from services.order.handlers.classification import Classes, classify
from services.order.handlers.credit_answers import (
    hold_order_when_credit_review_required,
    record_release_when_credit_released,
    reject_order_when_credit_declined,
    release_order_when_credit_approved,
)
from services.order.handlers.fulfillment_answers import (
    complete_order_when_invoice_paid,
    record_address_when_shipment_address_changed,
    record_invoice_when_invoice_issued,
    record_refusal_when_shipment_address_change_refused,
    record_shipment_when_shipment_shipped,
)
from services.order.handlers.intake import (
    Accepted,
    ExternalIdReusedError,
    IdempotencyKeyReusedError,
    place_orders,
)
from services.order.handlers.master_data import (
    change_policy,
    define_customer,
    define_item,
)
from services.order.handlers.order_changes import (
    cancel_order,
    change_order,
    confirm_order,
    expire_confirmations,
)
from services.order.handlers.returns import record_return
from services.order.handlers.stock_answers import (
    answer_bump_when_stock_bump_requested,
    hold_order_when_stock_backordered,
    note_stock_when_stock_changed,
    record_release_when_stock_released,
    release_order_when_stock_reserved,
    resume_order_when_stock_bumped,
)
from services.order.handlers.webhooks import (
    redrive_deliveries,
    register_webhook,
    remove_webhook,
    rotate_webhook_secret,
)

__all__ = [
    "Accepted",
    "Classes",
    "ExternalIdReusedError",
    "IdempotencyKeyReusedError",
    "answer_bump_when_stock_bump_requested",
    "cancel_order",
    "change_order",
    "change_policy",
    "classify",
    "complete_order_when_invoice_paid",
    "confirm_order",
    "define_customer",
    "define_item",
    "expire_confirmations",
    "hold_order_when_credit_review_required",
    "hold_order_when_stock_backordered",
    "hold_orders_when_andon_pulled",
    "note_stock_when_stock_changed",
    "place_orders",
    "record_address_when_shipment_address_changed",
    "record_invoice_when_invoice_issued",
    "record_refusal_when_shipment_address_change_refused",
    "redrive_deliveries",
    "register_webhook",
    "record_release_when_credit_released",
    "record_release_when_stock_released",
    "record_return",
    "record_shipment_when_shipment_shipped",
    "reject_order_when_credit_declined",
    "release_order_when_credit_approved",
    "release_order_when_stock_reserved",
    "resume_order_when_stock_bumped",
    "remove_webhook",
    "resume_orders_when_andon_resolved",
    "rotate_webhook_secret",
]

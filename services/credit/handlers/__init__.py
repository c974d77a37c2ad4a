"""Credit use cases, one module each; the reactions are named `<action>_when_<event>`."""

from services.credit.handlers.check_credit import (
    check_credit_when_order_placed,
    recheck_credit_when_order_changed,
)
from services.credit.handlers.decide_review import decide_review
from services.credit.handlers.define_profile import define_profile_when_customer_defined
from services.credit.handlers.release_credit import (
    release_credit_when_credit_note_issued,
    release_credit_when_order_ended,
    release_credit_when_order_short_picked,
    release_credit_when_payment_recorded,
)

__all__ = [
    "check_credit_when_order_placed",
    "define_profile_when_customer_defined",
    "recheck_credit_when_order_changed",
    "decide_review",
    "release_credit_when_credit_note_issued",
    "release_credit_when_order_ended",
    "release_credit_when_order_short_picked",
    "release_credit_when_payment_recorded",
]

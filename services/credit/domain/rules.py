"""The traffic-light rule: does an order of this amount need a manual credit review?"""

from dataclasses import dataclass

from services.credit.events import CreditLight, ReviewReason


@dataclass(frozen=True)
class CreditProfile:
    light: CreditLight
    limit_cents: int
    review_threshold_cents: int


def review_reason(
    profile: CreditProfile | None, *, exposure_cents: int, amount_cents: int
) -> ReviewReason | None:
    """Why an order of `amount_cents` needs a review, or None when it is approved at once.

    Green is approved without a check; yellow is checked against the review threshold and the
    credit limit; red, and a customer credit has never heard of, always go to review.
    """
    if profile is None:
        return ReviewReason.UNKNOWN_CUSTOMER
    if profile.light is CreditLight.GREEN:
        return None
    if profile.light is CreditLight.RED:
        return ReviewReason.RED_LIGHT
    if amount_cents > profile.review_threshold_cents:
        return ReviewReason.OVER_REVIEW_THRESHOLD
    if exposure_cents + amount_cents > profile.limit_cents:
        return ReviewReason.OVER_CREDIT_LIMIT
    return None

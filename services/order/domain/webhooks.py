"""Channel webhooks: what a channel is told when its order changes status, how it is signed
(Standard Webhooks) and when a failed delivery is tried again or parked."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from services.order.events import Hold
from shared.errors import DomainError, NotFoundError
from shared.messages import DomainEvent

OrderStatus = Literal[
    "pending",
    "on_hold",
    "released",
    "partially_shipped",
    "shipped",
    "completed",
    "cancelled",
    "rejected",
]
DeliveryState = Literal["pending", "delivered", "parked"]


class OrderStatusChanged(DomainEvent):
    """An order of the channel changed status (or was placed): one POST to the channel's
    webhook URL. Per order the changes arrive in order: the envelope's `aggregateversion`
    grows with each."""

    order_id: UUID
    channel: str
    external_id: str | None = Field(description="The channel's own order id, if it sent one")
    status: OrderStatus
    previous_status: OrderStatus | None = Field(description="None: the order was just placed")
    holds: tuple[Hold, ...] = Field(description="Holds open after the change")
    changed_at: AwareDatetime


SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, *, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of
    `<webhook-id>.<webhook-timestamp>.<body>`, keyed by the secret's bytes (Standard Webhooks).
    Signing the id and time with the body lets a receiver refuse a replayed request."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class Attempted:
    """A delivery after an attempt: its state, attempts so far, when to try next, the error."""

    state: DeliveryState
    attempts: int
    next_attempt_at: datetime
    error: str | None


@dataclass(frozen=True)
class RetryPolicy:
    """Failed attempts are retried after a delay that doubles each time, up to `max_delay`;
    the `attempts`-th failure parks the delivery until someone redrives it."""

    attempts: int
    first_delay: timedelta
    max_delay: timedelta

    def after(self, *, attempts_before: int, error: str | None, now: datetime) -> Attempted:
        attempts = attempts_before + 1
        if error is None:
            return Attempted("delivered", attempts, now, None)
        if attempts >= self.attempts:
            return Attempted("parked", attempts, now, error)
        # Doubled in float seconds: a large attempt count must not overflow a timedelta.
        seconds = self.first_delay.total_seconds() * 2.0 ** min(attempts - 1, 64)
        delay = min(timedelta(seconds=min(seconds, 1e9)), self.max_delay)
        return Attempted("pending", attempts, now + delay, error)


class WebhookNotFoundError(NotFoundError):
    def __init__(self, channel: str) -> None:
        super().__init__(f"no webhook is registered for channel {channel!r}")


class DeliveryNotFoundError(NotFoundError):
    def __init__(self, delivery_id: UUID) -> None:
        super().__init__(f"delivery {delivery_id} not found")


class DeliveryNotParkedError(DomainError):
    def __init__(self, delivery_id: UUID, state: str) -> None:
        super().__init__(f"delivery {delivery_id} is {state}: only a parked one is redriven")

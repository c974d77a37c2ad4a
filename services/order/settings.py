"""Order settings from GAPLESS_WEBHOOKS__* variables: how channel webhooks are delivered."""

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.order.domain.webhooks import RetryPolicy


class WebhookSettings(BaseSettings):
    """e.g. GAPLESS_WEBHOOKS__FIRST_RETRY_SECONDS=0.2 in a test that wants parking in seconds."""

    model_config = SettingsConfigDict(env_prefix="GAPLESS_WEBHOOKS__", extra="ignore")

    # Attempts before a delivery is parked (ops redrive it), and the delays between them:
    # doubling from the first, at most the max (defaults: parked after about 85 minutes).
    attempts: int = Field(default=10, ge=1, le=50)
    first_retry_seconds: float = Field(default=10, gt=0)
    max_retry_seconds: float = Field(default=3600, gt=0)
    # One POST, connecting included: past it the attempt failed.
    timeout_seconds: float = Field(default=10, gt=0, le=120)
    # Deliveries sent at once (to any channels), each in flight concurrently.
    in_flight: int = Field(default=100, ge=1, le=1000)
    # How often due deliveries are looked for.
    every_seconds: float = Field(default=1, gt=0)
    # Delivered rows are kept this long (ops can see them), then deleted.
    keep_delivered_hours: float = Field(default=168, gt=0)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            attempts=self.attempts,
            first_delay=timedelta(seconds=self.first_retry_seconds),
            max_delay=timedelta(seconds=self.max_retry_seconds),
        )

    @property
    def lease(self) -> timedelta:
        """How long a claimed delivery is another sender's to leave alone: a sender that died
        mid-POST frees it after this (well past the timeout, so a live one always finishes)."""
        return timedelta(seconds=max(30.0, 3 * self.timeout_seconds))

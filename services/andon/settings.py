"""Andon settings from GAPLESS_ANDON__* variables: the watchdog's step timeouts."""

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.andon.domain import Timeouts
from shared.facts import MAX_FACTS_PAGE


class AndonSettings(BaseSettings):
    """e.g. GAPLESS_ANDON__ANSWER_TIMEOUT_SECONDS=2 in a test that wants gaps within seconds."""

    model_config = SettingsConfigDict(env_prefix="GAPLESS_ANDON__", extra="ignore")

    # Inventory's stock answer and credit's credit answer after an order is placed or changed.
    answer_timeout_seconds: float = Field(default=300, gt=0)
    # The order service's release once credit and stock allow it (the order's deadline also).
    release_grace_seconds: float = Field(default=300, gt=0)
    # Picked and shipped after a release.
    shipment_timeout_seconds: float = Field(default=3600, gt=0)

    # The scheduled reconciliation pass (each run records a ReconciliationCompleted).
    reconcile_every_seconds: float = Field(default=600, gt=0)
    # Orders each service answers for per run (the next run takes the next page).
    reconcile_page_size: int = Field(default=200, ge=1, le=MAX_FACTS_PAGE)

    def timeouts(self) -> Timeouts:
        return Timeouts(
            answer=timedelta(seconds=self.answer_timeout_seconds),
            release_grace=timedelta(seconds=self.release_grace_seconds),
            shipment=timedelta(seconds=self.shipment_timeout_seconds),
        )

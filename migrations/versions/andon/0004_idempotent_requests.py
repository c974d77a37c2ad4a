"""Idempotency-Key answers of the service's effectful POSTs (payments, receipts, pulls, ...).

Empty after the upgrade: release 0.1 kept no such answers.
"""

from migrations.steps import IDEMPOTENT_REQUESTS

revision = "andon_0004"
down_revision = "andon_0003"

upgrade, downgrade = IDEMPOTENT_REQUESTS

"""Idempotency-Key answers of the service's effectful POSTs (payments, receipts, pulls, ...).

Empty after the upgrade: release 0.1 kept no such answers.
"""

from migrations.steps import IDEMPOTENT_REQUESTS

revision = "credit_0003"
down_revision = "credit_0002"

upgrade, downgrade = IDEMPOTENT_REQUESTS

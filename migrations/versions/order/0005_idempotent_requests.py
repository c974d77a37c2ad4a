"""Idempotency-Key answers of the service's effectful POSTs (payments, receipts, pulls, ...).

Empty after the upgrade: release 0.1 kept no such answers.
"""

from migrations.steps import IDEMPOTENT_REQUESTS

revision = "order_0005"
down_revision = "order_0004"

upgrade, downgrade = IDEMPOTENT_REQUESTS

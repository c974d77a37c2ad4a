"""Idempotency-Key answers are deleted after their retention period: the index it goes by."""

from migrations.steps import IDEMPOTENCY_KEY_RETENTION

revision = "fulfillment_0008"
down_revision = "fulfillment_0007"

upgrade, downgrade = IDEMPOTENCY_KEY_RETENTION

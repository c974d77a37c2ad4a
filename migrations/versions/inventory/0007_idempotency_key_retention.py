"""Idempotency-Key answers are deleted after their retention period: the index it goes by."""

from migrations.steps import IDEMPOTENCY_KEY_RETENTION

revision = "inventory_0007"
down_revision = "inventory_0006"

upgrade, downgrade = IDEMPOTENCY_KEY_RETENTION

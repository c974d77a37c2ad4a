"""Idempotency-Key answers are deleted after their retention period: the index it goes by."""

from migrations.steps import IDEMPOTENCY_KEY_RETENTION

revision = "order_0011"
down_revision = "order_0010"

upgrade, downgrade = IDEMPOTENCY_KEY_RETENTION

"""Idempotency-Key answers are deleted after their retention period: the index it goes by."""

from migrations.steps import IDEMPOTENCY_KEY_RETENTION

revision = "credit_0006"
down_revision = "credit_0005"

upgrade, downgrade = IDEMPOTENCY_KEY_RETENTION

"""Idempotency-Key answers are deleted after their retention period: the index it goes by."""

from migrations.steps import IDEMPOTENCY_KEY_RETENTION

revision = "andon_0010"
down_revision = "andon_0009"

upgrade, downgrade = IDEMPOTENCY_KEY_RETENTION

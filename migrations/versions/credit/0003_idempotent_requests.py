"""Idempotency-Key answers of the service's effectful POSTs (payments, receipts, pulls, ...).

Empty after the upgrade: release 0.1 kept no such answers.

Revision ID: credit_0003
Revises: credit_0002
"""

from migrations.steps import create_idempotent_requests, drop_idempotent_requests

revision = "credit_0003"
down_revision = "credit_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotent_requests()


def downgrade() -> None:
    drop_idempotent_requests()

"""Idempotency-Key answers of the service's effectful POSTs (payments, receipts, pulls, ...).

Empty after the upgrade: release 0.1 kept no such answers.

Revision ID: andon_0004
Revises: andon_0003
"""

from migrations.steps import create_idempotent_requests, drop_idempotent_requests

revision = "andon_0004"
down_revision = "andon_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotent_requests()


def downgrade() -> None:
    drop_idempotent_requests()

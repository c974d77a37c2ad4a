"""Idempotency-Key answers of the service's effectful POSTs (payments, receipts, pulls, ...).

Empty after the upgrade: release 0.1 kept no such answers.

Revision ID: simulator_0003
Revises: simulator_0002
"""

from migrations.steps import create_idempotent_requests, drop_idempotent_requests

revision = "simulator_0003"
down_revision = "simulator_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotent_requests()


def downgrade() -> None:
    drop_idempotent_requests()

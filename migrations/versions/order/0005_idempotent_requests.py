"""Idempotency-Key answers of the service's effectful POSTs (payments, receipts, pulls, ...).

Empty after the upgrade: release 0.1 kept no such answers.

Revision ID: order_0005
Revises: order_0004
"""

from migrations.steps import create_idempotent_requests, drop_idempotent_requests

revision = "order_0005"
down_revision = "order_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotent_requests()


def downgrade() -> None:
    drop_idempotent_requests()

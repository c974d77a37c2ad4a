"""Outbox rows queued by release 0.1 leave in the current CloudEvents form.

Revision ID: simulator_0002
Revises: simulator_0001
"""

from migrations.steps import upcast_pending_outbox

revision = "simulator_0002"
down_revision = "simulator_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upcast_pending_outbox()


def downgrade() -> None:
    raise NotImplementedError(
        "release 0.1 cannot read the current CloudEvents form: restore the backup taken before "
        "the upgrade instead (deploy/README.md)"
    )

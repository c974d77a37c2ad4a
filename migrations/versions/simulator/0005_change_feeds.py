"""The change clock every service database has (shared/changes.py); the simulator lists nothing.

Revision ID: simulator_0005
Revises: simulator_0004
"""

from migrations.steps import create_change_clock, drop_change_clock

revision = "simulator_0005"
down_revision = "simulator_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_change_clock()


def downgrade() -> None:
    drop_change_clock()

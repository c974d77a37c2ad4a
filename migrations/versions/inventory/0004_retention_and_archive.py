"""Retention and archive: the inbox's age index (the pruning job deletes its oldest rows) and
the table of streams moved to an archive file.

Revision ID: inventory_0004
Revises: inventory_0003
"""

from migrations.steps import add_retention_and_archive, drop_retention_and_archive

revision = "inventory_0004"
down_revision = "inventory_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_retention_and_archive()


def downgrade() -> None:
    drop_retention_and_archive()

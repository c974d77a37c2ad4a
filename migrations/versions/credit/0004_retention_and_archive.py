"""Retention and archive: the inbox's age index (the pruning job deletes its oldest rows) and
the table of streams moved to an archive file.

Revision ID: credit_0004
Revises: credit_0003
"""

from migrations.steps import add_retention_and_archive, drop_retention_and_archive

revision = "credit_0004"
down_revision = "credit_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_retention_and_archive()


def downgrade() -> None:
    drop_retention_and_archive()

"""Retention and archive: the inbox's age index (the pruning job deletes its oldest rows) and
the table of streams moved to an archive file.

Revision ID: andon_0005
Revises: andon_0004
"""

from migrations.steps import add_retention_and_archive, drop_retention_and_archive

revision = "andon_0005"
down_revision = "andon_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_retention_and_archive()


def downgrade() -> None:
    drop_retention_and_archive()

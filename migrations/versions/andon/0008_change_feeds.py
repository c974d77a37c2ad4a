"""Change feeds and cursor paging of andon pulls and gaps: change marks and page indexes.

Rows already there get change mark 0 (changed before any feed existed): a client's first
`updated_since=0` request lists them too.

Revision ID: andon_0008
Revises: andon_0007
"""

from alembic import op

from migrations.steps import (
    add_change_marks,
    create_change_clock,
    drop_change_clock,
    drop_change_marks,
)

revision = "andon_0008"
down_revision = "andon_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_change_clock()
    add_change_marks("andon_pull", ["pull_id"])
    op.create_index("ix_andon_pull_pulled_at", "andon_pull", ["pulled_at", "pull_id"], unique=False)
    op.create_index(
        "ix_andon_pull_open_pulled_at", "andon_pull", ["open", "pulled_at", "pull_id"], unique=False
    )
    add_change_marks("gap", ["order_id", "step"])
    op.create_index(
        "ix_gap_open_expected_by", "gap", ["open", "expected_by", "order_id", "step"], unique=False
    )
    op.create_index("ix_gap_expected_by", "gap", ["expected_by", "order_id", "step"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_gap_expected_by", table_name="gap")
    op.drop_index("ix_gap_open_expected_by", table_name="gap")
    drop_change_marks("gap")
    op.drop_index("ix_andon_pull_open_pulled_at", table_name="andon_pull")
    op.drop_index("ix_andon_pull_pulled_at", table_name="andon_pull")
    drop_change_marks("andon_pull")
    drop_change_clock()

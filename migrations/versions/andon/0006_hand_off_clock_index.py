"""The watchdog's scan reads only overdue clocks: running clocks by step and start."""

from alembic import op

revision = "andon_0006"
down_revision = "andon_0005"


def upgrade() -> None:
    op.create_index(
        "ix_awaited_hand_off_clock",
        "awaited_hand_off",
        ["status", "step", "since"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_awaited_hand_off_clock", table_name="awaited_hand_off")

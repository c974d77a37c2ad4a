"""The complaints read model (GET /v1/complaints), with its change mark and page indexes.

Complaints recorded before the upgrade are filled in from the event store, with change mark 0
(changed before any feed existed), as a rebuild would write them: listed at once, no rebuild
needed.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from shared import fastjson

revision = "andon_0009"
down_revision = "andon_0008"


def upgrade() -> None:
    op.create_table(
        "complaint",
        sa.Column("complaint_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_mark", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_complaint")),
    )
    op.create_index("ix_complaint_order_id", "complaint", ["order_id"], unique=False)
    op.create_index(
        "ix_complaint_recorded_at", "complaint", ["recorded_at", "complaint_id"], unique=False
    )
    op.create_index(
        "ix_complaint_sku_recorded_at",
        "complaint",
        ["sku", "recorded_at", "complaint_id"],
        unique=False,
    )
    op.create_index(
        "ix_complaint_change_mark", "complaint", ["change_mark", "complaint_id"], unique=False
    )
    _fill_from_the_event_store()


def _fill_from_the_event_store() -> None:
    conn = op.get_bind()
    recorded = conn.execute(
        sa.text(
            "SELECT CAST(data AS TEXT) FROM stored_event"
            " WHERE event_type = 'ComplaintRecorded' ORDER BY position"
        )
    ).scalars()
    rows = [_row(fastjson.loads(data), conn.dialect.name) for data in recorded]
    if rows:
        conn.execute(
            sa.text(
                "INSERT INTO complaint (complaint_id, order_id, sku, reason, recorded_by,"
                " recorded_at) VALUES (:complaint_id, :order_id, :sku, :reason, :recorded_by,"
                " :recorded_at)"
            ),
            rows,
        )


def _row(data: dict[str, str], dialect: str) -> dict[str, object]:
    at = datetime.fromisoformat(data["recorded_at"])
    at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    return {
        "complaint_id": data["complaint_id"],
        "order_id": data["order_id"],
        "sku": data["sku"],
        "reason": data["reason"],
        "recorded_by": data["recorded_by"],
        # As the services store a time on SQLite (shared.db): ISO text in UTC, microseconds.
        "recorded_at": at.isoformat(timespec="microseconds") if dialect == "sqlite" else at,
    }


def downgrade() -> None:
    op.drop_index("ix_complaint_change_mark", table_name="complaint")
    op.drop_index("ix_complaint_sku_recorded_at", table_name="complaint")
    op.drop_index("ix_complaint_recorded_at", table_name="complaint")
    op.drop_index("ix_complaint_order_id", table_name="complaint")
    op.drop_table("complaint")

"""Migration steps every service's history shares (each service has the same platform tables)."""

import sqlalchemy as sa
from alembic import op

from shared import fastjson
from shared.envelope import upcast_cloudevent


def upcast_pending_outbox() -> None:
    """Rewrite outbox rows not yet published into the current CloudEvents wire form.

    Release 0.1 queued a bare `type`, a relative `source` and `causationid: null`; the relay
    sends a row's payload as it is, so without this a row queued before the upgrade would leave
    in the old form. Published rows are history and stay as they were.
    """
    conn = op.get_bind()
    pending = conn.execute(
        sa.text("SELECT id, payload FROM outbox_message WHERE published_at IS NULL")
    ).all()
    for row_id, payload in pending:
        document = fastjson.loads(payload)
        current = upcast_cloudevent(document)
        if current != document:
            conn.execute(
                sa.text("UPDATE outbox_message SET payload = :payload WHERE id = :id"),
                {"payload": fastjson.dumps(current), "id": row_id},
            )


def create_idempotent_requests() -> None:
    """The Idempotency-Key answers of a service's effectful POSTs (shared/idempotency.py)."""
    op.create_table(
        "idempotent_request",
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotent_request")),
    )


def drop_idempotent_requests() -> None:
    op.drop_table("idempotent_request")

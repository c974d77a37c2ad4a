"""Migration steps every service's history shares (each service has the same platform tables).

A revision that is one such step and nothing else is declared as `upgrade, downgrade = STEP`
in each history: the step is written once, and each service's history keeps its own revision.
"""

from collections.abc import Callable, Mapping
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

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


def create_platform_tables_0_1() -> None:
    """Release 0.1's platform tables, the same in every service's database (shared/tables.py):
    event store, outbox, inbox and snapshots."""
    op.create_table(
        "aggregate_snapshot",
        sa.Column("stream_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=100), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("stream_id", name=op.f("pk_aggregate_snapshot")),
    )
    op.create_table(
        "outbox_message",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_message_event_id")),
    )
    op.create_index(
        "ix_outbox_message_unpublished",
        "outbox_message",
        ["id"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "processed_message",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("consumer", "message_id", name=op.f("pk_processed_message")),
    )
    op.create_table(
        "stored_event",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream_id", sa.String(length=200), nullable=False),
        sa.Column("stream_type", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("event_version", sa.Integer(), nullable=False),
        sa.Column(
            "data",
            sa.Text().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "metadata",
            sa.Text().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_stored_event")),
        sa.UniqueConstraint("event_id", name=op.f("uq_stored_event_event_id")),
        sa.UniqueConstraint("stream_id", "version", name=op.f("uq_stored_event_stream_id")),
    )
    op.create_index("ix_stored_event_occurred_at", "stored_event", ["occurred_at"], unique=False)


def drop_platform_tables_0_1() -> None:
    op.drop_index("ix_stored_event_occurred_at", table_name="stored_event")
    op.drop_table("stored_event")
    op.drop_table("processed_message")
    op.drop_index(
        "ix_outbox_message_unpublished",
        table_name="outbox_message",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.drop_table("outbox_message")
    op.drop_table("aggregate_snapshot")


def add_retention_and_archive() -> None:
    """The inbox's age index, used by the retention job, and the table of archived streams.

    SQLite stored release 0.1's `processed_at` as SQLite's own `YYYY-MM-DD HH:MM:SS`; every
    other timestamp is ISO 8601 in UTC with microseconds, and the retention job compares them
    as text: the older rows are rewritten in that form, so text order stays time order.
    """
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        conn.execute(
            sa.text(
                "UPDATE processed_message"
                " SET processed_at = strftime('%Y-%m-%dT%H:%M:%f', processed_at) || '000+00:00'"
                " WHERE processed_at NOT LIKE '%T%'"
            )
        )
    op.create_index(
        "ix_processed_message_processed_at", "processed_message", ["processed_at"], unique=False
    )
    op.create_table(
        "archived_stream",
        sa.Column("stream_id", sa.String(length=200), nullable=False),
        sa.Column("archive", sa.String(length=500), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("stream_id", name=op.f("pk_archived_stream")),
    )


def drop_retention_and_archive() -> None:
    op.drop_table("archived_stream")
    op.drop_index("ix_processed_message_processed_at", table_name="processed_message")


def create_change_clock() -> None:
    """SQLite's source of change marks (shared/changes.py); every service database has one."""
    op.create_table(
        "change_clock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_clock")),
    )


def drop_change_clock() -> None:
    op.drop_table("change_clock")


def add_change_marks(table: str, key: list[str]) -> None:
    """A change mark on every row of `table` (0 for the rows already there: changed before any
    feed existed) and the feed's index on it and the primary key `key`."""
    with op.batch_alter_table(table) as batch:
        batch.add_column(
            sa.Column("change_mark", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.create_index(f"ix_{table}_change_mark", table, ["change_mark", *key], unique=False)


def drop_change_marks(table: str) -> None:
    op.drop_index(f"ix_{table}_change_mark", table_name=table)
    with op.batch_alter_table(table) as batch:
        batch.drop_column("change_mark")


def no_way_back_to_0_1() -> None:
    raise NotImplementedError(
        "release 0.1 cannot read the current CloudEvents form: restore the backup taken before "
        "the upgrade instead (deploy/README.md)"
    )


class Step(NamedTuple):
    upgrade: Callable[[], None]
    downgrade: Callable[[], None]


CLOUDEVENTS_WIRE_FORM = Step(upcast_pending_outbox, no_way_back_to_0_1)
IDEMPOTENT_REQUESTS = Step(create_idempotent_requests, drop_idempotent_requests)
RETENTION_AND_ARCHIVE = Step(add_retention_and_archive, drop_retention_and_archive)


def add_idempotency_key_age_index() -> None:
    """The retention job deletes Idempotency-Key answers oldest first, by this index."""
    op.create_index(
        "ix_idempotent_request_created_at", "idempotent_request", ["created_at"], unique=False
    )


def drop_idempotency_key_age_index() -> None:
    op.drop_index("ix_idempotent_request_created_at", table_name="idempotent_request")


IDEMPOTENCY_KEY_RETENTION = Step(add_idempotency_key_age_index, drop_idempotency_key_age_index)


class Feed(NamedTuple):
    """A table's change feed: change marks on its rows (0 for the rows already there, changed
    before any feed existed, so a client's first `updated_since=0` lists them too), and the
    indexes its list pages by, by name: each ends with the primary key `key`."""

    table: str
    key: list[str]
    page_indexes: Mapping[str, list[str]] = {}


def change_feeds(*feeds: Feed, clock: bool = True) -> Step:
    """The step that adds `feeds` (and the change clock, the first time a service gets one)."""

    def upgrade() -> None:
        if clock:
            create_change_clock()
        for feed in feeds:
            add_change_marks(feed.table, feed.key)
            for name, columns in feed.page_indexes.items():
                op.create_index(name, feed.table, columns, unique=False)

    def downgrade() -> None:
        for feed in reversed(feeds):
            for name in reversed(list(feed.page_indexes)):
                op.drop_index(name, table_name=feed.table)
            drop_change_marks(feed.table)
        if clock:
            drop_change_clock()

    return Step(upgrade, downgrade)

"""Platform tables every service database has: event store, outbox, inbox, archived streams,
idempotency keys, the change clock."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.changes import define_clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants 64 bits for a log.
POSITION = BigInteger().with_variant(Integer(), "sqlite")
JSON_TEXT = Text().with_variant(JSONB(), "postgresql")

metadata = MetaData(naming_convention=NAMING_CONVENTION)

stored_event = Table(
    "stored_event",
    metadata,
    Column("position", POSITION, primary_key=True, autoincrement=True),
    Column("stream_id", String(200), nullable=False),
    Column("stream_type", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(200), nullable=False),
    Column("event_version", Integer, nullable=False),
    Column("data", JSON_TEXT, nullable=False),
    Column("metadata", JSON_TEXT, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    # The optimistic-concurrency check: two writers at one expected version cannot both insert.
    UniqueConstraint("stream_id", "version"),
)
Index("ix_stored_event_occurred_at", stored_event.c.occurred_at)

outbox_message = Table(
    "outbox_message",
    metadata,
    Column("id", POSITION, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True), nullable=True),
)
# The relay only ever reads unpublished rows; a partial index keeps that scan tiny.
Index(
    "ix_outbox_message_unpublished",
    outbox_message.c.id,
    postgresql_where=text("published_at IS NULL"),
    sqlite_where=text("published_at IS NULL"),
)

processed_message = Table(
    "processed_message",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("message_id", String(200), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
# The retention job deletes the oldest rows a batch at a time (shared/retention.py).
Index("ix_processed_message_processed_at", processed_message.c.processed_at)

# The state of a long-lived aggregate at a version, written with its events (shared/snapshots.py).
aggregate_snapshot = Table(
    "aggregate_snapshot",
    metadata,
    Column("stream_id", String(200), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("fingerprint", String(100), nullable=False),
    Column("state", LargeBinary, nullable=False),
)

# Streams moved out of `stored_event` into an archive file (shared/archive.py): a rebuild of the
# read models would no longer see their events, and a command on one is told where it went.
archived_stream = Table(
    "archived_stream",
    metadata,
    Column("stream_id", String(200), primary_key=True),
    Column("archive", String(500), nullable=False),
    Column("archived_at", DateTime(timezone=True), nullable=False),
)

# Idempotency-Key claims and first answers of HTTP requests (shared/idempotency.py). Not derived
# from events: a claim commits with the effect it guards, the answer right after it.
idempotent_request = Table(
    "idempotent_request",
    metadata,
    Column("principal", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", Integer, nullable=True),
    Column("body", Text, nullable=True),
    Index("ix_idempotent_request_created_at", "created_at"),  # the retention job's order
)

# Where SQLite's change marks come from (shared/changes.py): outlives read-model rebuilds.
change_clock = define_clock(metadata)

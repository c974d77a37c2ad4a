"""Change marks: a per-row number that orders read-model changes by commit, for change feeds.

A list endpoint's `updated_since` feed hands out a row again whenever its transaction changed
it, in the order of a `(change_mark, primary key)` key, and the client resumes after the last
key it saw. That only works if no row can ever appear *behind* a key a reader has already
passed. A timestamp or a sequence number taken by the writer does not guarantee that on
PostgreSQL: a transaction that took number 10 may commit after another one took 11 and
committed, and a reader that saw 11 then never looks at 10 again. So:

- **PostgreSQL**: a row's mark is the 64-bit id of the transaction that wrote it
  (`pg_current_xact_id()`), and readers only return rows whose mark is below the oldest
  transaction id still running when their statement's snapshot was taken
  (`pg_snapshot_xmin`). Every transaction below that horizon has ended, so nothing can later
  appear below it; a transaction that has not yet written gets an id above it. Readers fall
  behind live writes by at most the longest running writer; writers pay nothing extra.
- **SQLite**: writers take turns (one write lock per file), so commit order is the order in
  which transactions run. A row's mark is the database's change clock, a one-row table every
  transaction that marks rows advances at its commit; the clock outlives read-model rebuilds,
  which would reset a number derived from the rows themselves.

A transaction's rows share its mark; the primary key orders them within it. Marks are
bookkeeping, not state: a rebuild gives rows new marks and compares the rest (shared/replay.py).
"""

from sqlalchemy import BigInteger, Column, Integer, MetaData, Table

from shared.db import Dialect, WriteBehind

MARK = "change_mark"
_MARKER_INFO = {"change_mark": True}

_NOW_POSTGRES = "pg_current_xact_id()::text::bigint"
_NOW_SQLITE = "COALESCE((SELECT value FROM change_clock), 0)"
_TICK = (
    "INSERT INTO change_clock (id, value) VALUES (1, 1)"
    " ON CONFLICT (id) DO UPDATE SET value = value + 1"
)
# Marks below this are final: no transaction can still write one (see above).
_HORIZON_POSTGRES = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


def define_clock(metadata: MetaData) -> Table:
    """The change clock (SQLite's source of marks; present, unused, on PostgreSQL)."""
    return Table(
        "change_clock",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("value", BigInteger, nullable=False),
    )


def mark_column() -> Column[int]:
    """The change-mark column of a read-model table (index it with its primary key)."""
    return Column(MARK, BigInteger, nullable=False, server_default="0", info=_MARKER_INFO)


def is_mark(column: Column[object]) -> bool:
    return bool(column.info.get("change_mark"))


def now(conn: WriteBehind) -> str:
    """The SQL expression of the current transaction's mark, to set `change_mark` with.

    On SQLite it also makes the transaction advance the clock at commit, after every row that
    took the current value: so each use of a mark goes through here.
    """
    if conn.dialect == "postgresql":
        return _NOW_POSTGRES
    conn.defer_to_commit(("change_clock",), _TICK)
    return _NOW_SQLITE


def horizon(dialect: Dialect) -> str | None:
    """An SQL expression: marks below it are final for this statement (None: all are)."""
    return _HORIZON_POSTGRES if dialect == "postgresql" else None

"""Typed rows: what a projection writes to a table, as a frozen dataclass of those columns.

A read model's table is declared once (a SQLAlchemy `Table`); a row model names the columns
one kind of write sets, with their Python types, so mypy checks each value a projection
writes, by name, where positional SQL parameters could silently trade places.
`tests/unit/test_row_models.py` checks every row model against its table: each field a
column, nullable only where the column is, the primary key the table's.

`insert` and `update` turn a row into its statement, `(sql, *values)`, for `execute`,
`defer` or `defer_to_commit` (shared/db.py WriteBehind). The SQL text is built once per model
and form and then cached, so the write path pays a dictionary lookup. Counters and conditional
updates (`n = n + 1`, "only while open") stay plain SQL beside them.
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal

from shared.db import Connection

Statement = tuple[Any, ...]  # (sql, *values): `await conn.execute(*statement)`
OnConflict = Literal["fail", "skip", "update"]


@dataclass(frozen=True, slots=True)
class Row:
    """Base of a row model: a `@dataclass(frozen=True, slots=True)` subclass names its `table`
    and its `primary_key` columns; its fields are the columns it writes, in the
    order its statements list them. No validation: the values come from typed events."""

    table: ClassVar[str]
    primary_key: ClassVar[tuple[str, ...]]


_COLUMNS: dict[type[Row], tuple[str, ...]] = {}
_SQL: dict[tuple[object, ...], str] = {}  # by model and statement form


def columns(model: type[Row]) -> tuple[str, ...]:
    names = _COLUMNS.get(model)
    if names is None:
        names = _COLUMNS[model] = tuple(field.name for field in fields(model))
    return names


def values(row: Row) -> tuple[Any, ...]:
    """The row's values in column order."""
    return tuple(getattr(row, name) for name in columns(type(row)))


def _insert_sql(
    model: type[Row], on_conflict: OnConflict, only: tuple[str, ...] | None, mark: str | None
) -> str:
    names = columns(model)
    params = [f"${n}" for n in range(1, len(names) + 1)]
    if mark is not None:
        names, params = (*names, "change_mark"), [*params, mark]
    sql = f"INSERT INTO {model.table} ({', '.join(names)}) VALUES ({', '.join(params)})"
    if on_conflict == "fail":
        return sql
    changed = [
        name for name in names if name not in model.primary_key and (only is None or name in only)
    ]
    if mark is not None and only is not None:
        changed.append("change_mark")
    if on_conflict == "skip" or not changed:
        return f"{sql} ON CONFLICT ({', '.join(model.primary_key)}) DO NOTHING"
    sets = ", ".join(f"{name} = excluded.{name}" for name in changed)
    return f"{sql} ON CONFLICT ({', '.join(model.primary_key)}) DO UPDATE SET {sets}"


def insert(
    row: Row,
    *,
    on_conflict: OnConflict = "fail",
    only: tuple[str, ...] | None = None,
    mark: str | None = None,
) -> Statement:
    """INSERT the row. A row already there with its key: an error (`fail`), left as it is
    (`skip`), or given this row's values (`update`): all of them, or `only` those columns (the
    others the row sets when it is new). `mark`: the change-mark expression (shared/changes.now),
    set on the new and the updated row alike."""
    form = (type(row), "insert", on_conflict, only, mark)
    sql = _SQL.get(form)
    if sql is None:
        sql = _SQL[form] = _insert_sql(type(row), on_conflict, only, mark)
    return (sql, *values(row))


def _update_sql(model: type[Row], mark: str | None) -> str:
    names = columns(model)
    sets = [f"{name} = ${n}" for n, name in enumerate(names, 1) if name not in model.primary_key]
    if mark is not None:
        sets.append(f"change_mark = {mark}")
    where = " AND ".join(f"{name} = ${names.index(name) + 1}" for name in model.primary_key)
    return f"UPDATE {model.table} SET {', '.join(sets)} WHERE {where}"


def update(row: Row, *, mark: str | None = None) -> Statement:
    """UPDATE the row with its key to the row's other values (and `mark`, the change mark)."""
    form = (type(row), "update", mark)
    sql = _SQL.get(form)
    if sql is None:
        sql = _SQL[form] = _update_sql(type(row), mark)
    return (sql, *values(row))


async def insert_all(
    conn: Connection,
    batch: Sequence[Row],
    *,
    on_conflict: OnConflict = "fail",
    only: tuple[str, ...] | None = None,
) -> None:
    """INSERT every row of `batch` (rows of one model) in one round trip; nothing if empty."""
    if batch:
        sql = insert(batch[0], on_conflict=on_conflict, only=only)[0]
        await conn.executemany(sql, [values(row) for row in batch])

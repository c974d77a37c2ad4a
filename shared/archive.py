"""Archive: streams moved out of the live event store into a compressed JSON Lines file, and back.

`export_streams` writes the streams' events to the file, syncs it to disk, and only then deletes
them (and their snapshots) in the transaction that read them: the events are always in the store,
in a durable file, or both (a crash between the two leaves a file whose streams are still live;
`import_archive` refuses it, and it can be deleted). Each archived stream is listed in
`archived_stream`, so a rebuild of the read models, which would no longer see its events, is
refused (shared/replay.py), and a command on it is told where it went.

The file is gzip (no name and time 0 in its header) of one JSON object per line: a header, then
every event in store order with its position, as stored. The same streams give the same bytes,
and an import puts back exactly the rows there were, positions included.
"""

import gzip
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from shared import fastjson
from shared.db import Connection, Database, UniqueViolationError, placeholders
from shared.envelope import parse_time
from shared.errors import DomainError

FORMAT = "gapless-archive/1"
# Streams per statement: enough to keep round trips few, few enough for a quick plan.
_CHUNK = 200
_COLUMNS = (
    "position",
    "stream_id",
    "stream_type",
    "version",
    "event_id",
    "event_type",
    "event_version",
    "occurred_at",
    "metadata",
    "data",
)


_INSERT = f"INSERT INTO stored_event ({', '.join(_COLUMNS)}) VALUES ({placeholders(len(_COLUMNS))})"
_ROWS_PER_STATEMENT = 1_000


class ArchiveError(DomainError):
    """An archive that cannot be imported here (another service's, or streams live again)."""


class StreamArchivedError(DomainError):
    """The stream a request acts on is in an archive file: it takes no more events."""

    def __init__(self, what: str, archive: str) -> None:
        super().__init__(
            f"{what} was archived to {archive} and takes no more changes;"
            f" `gapless archive import {archive}` brings it back"
        )


@dataclass(frozen=True)
class Archived:
    streams: int
    events: int


def chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def export_streams(
    db: Database,
    stream_ids: Sequence[str],
    path: Path,
    *,
    service: str,
    now: datetime,
    keep: Callable[[Connection], Awaitable[None]] | None = None,
) -> Archived:
    """Move the events of `stream_ids` from the store to a new archive file at `path`; `keep`
    runs in the same transaction first (what the service keeps of them besides read models).

    Raises:
        FileExistsError: `path` exists (an archive is never overwritten).
    """
    streams = sorted(set(stream_ids))
    partial = path.with_name(path.name + ".partial")
    renamed = False
    try:
        async with db.transaction() as conn:
            if conn.dialect == "postgresql":
                # What is deleted is exactly what was read: a row another transaction adds
                # meanwhile is not in this snapshot, so it stays (it is never lost).
                await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            found: set[str] = set()
            events = 0
            with _gzip_writer(partial) as out:
                _write_line(out, {"format": FORMAT, "service": service})
                for chunk in chunks(streams):
                    for row in await conn.fetch(
                        f"SELECT {', '.join(_COLUMNS)} FROM stored_event"
                        f" WHERE stream_id IN ({placeholders(len(chunk))}) ORDER BY position",
                        *chunk,
                    ):
                        _write_line(out, _exported(row))
                        found.add(row["stream_id"])
                        events += 1
            _durably_rename(partial, path)
            renamed = True
            if keep is not None:
                await keep(conn)
            for chunk in chunks(streams):
                marks = placeholders(len(chunk))
                await conn.execute(f"DELETE FROM stored_event WHERE stream_id IN ({marks})", *chunk)
                await conn.execute(
                    f"DELETE FROM aggregate_snapshot WHERE stream_id IN ({marks})", *chunk
                )
            await conn.executemany(
                "INSERT INTO archived_stream (stream_id, archive, archived_at) VALUES ($1, $2, $3)"
                " ON CONFLICT (stream_id) DO UPDATE SET archive = excluded.archive,"
                " archived_at = excluded.archived_at",
                [(stream_id, path.name, now) for stream_id in sorted(found)],
            )
    except BaseException:
        # Nothing was deleted: a file of streams still live would only mislead.
        _discard(partial, *([path] if renamed else []))
        raise
    return Archived(len(found), events)


async def import_archive(
    db: Database,
    path: Path,
    *,
    service: str,
    restored: Callable[[Connection, list[str]], Awaitable[None]] | None = None,
) -> Archived:
    """Put the events of an archive file back into the store, as they were, in one transaction
    (with `restored`, told the streams that are back).

    Raises:
        ArchiveError: the file is not an archive of `service`, or one of its streams is live.
    """
    with _lines(path) as lines:
        header = next(lines, {})
        if header.get("format") != FORMAT or header.get("service") != service:
            raise ArchiveError(
                f"{path} is not a {FORMAT} archive of the {service} service ({header})"
            )
        streams = sorted({line["stream_id"] for line in lines})
    events = 0
    async with db.transaction() as conn:
        for chunk in chunks(streams):
            live = await conn.fetch(
                f"SELECT DISTINCT stream_id FROM stored_event"
                f" WHERE stream_id IN ({placeholders(len(chunk))})",
                *chunk,
            )
            if live:
                raise ArchiveError(
                    f"{len(live)} stream(s) of {path.name} are in the event store already, e.g."
                    f" {live[0]['stream_id']}: nothing was imported"
                )
        with _lines(path) as lines:
            next(lines)
            while rows := [_imported(line) for line in islice(lines, _ROWS_PER_STATEMENT)]:
                try:
                    await conn.executemany(_INSERT, rows)
                except UniqueViolationError as clash:
                    raise ArchiveError(
                        f"{path.name} clashes with the event store: {clash}"
                    ) from None
                events += len(rows)
        for chunk in chunks(streams):
            await conn.execute(
                f"DELETE FROM archived_stream WHERE stream_id IN ({placeholders(len(chunk))})",
                *chunk,
            )
        if restored is not None:
            await restored(conn, streams)
    return Archived(len(streams), events)


async def archive_of(conn: Connection, stream_id: str) -> str | None:
    """The archive file a stream was moved to, or None if it never was (or is back)."""
    found = await conn.fetchval(
        "SELECT archive FROM archived_stream WHERE stream_id = $1", stream_id
    )
    return None if found is None else str(found)


async def archived_streams(conn: Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM archived_stream"))


def _exported(row: Any) -> dict[str, Any]:
    """A stored event as a line: JSON columns as the documents they hold (in their stored key
    order, so an import writes the same text back), the time in UTC with microseconds."""
    line = {name: row[name] for name in _COLUMNS}
    line["occurred_at"] = (
        parse_time(row["occurred_at"]).astimezone(UTC).isoformat(timespec="microseconds")
    )
    line["metadata"] = fastjson.loads(row["metadata"])
    line["data"] = fastjson.loads(row["data"])
    return line


def _imported(line: dict[str, Any]) -> tuple[Any, ...]:
    values = dict(line)
    values["occurred_at"] = datetime.fromisoformat(line["occurred_at"])
    values["metadata"] = fastjson.dumps(line["metadata"])
    values["data"] = fastjson.dumps(line["data"])
    return tuple(values[name] for name in _COLUMNS)


@contextmanager
def _lines(path: Path) -> Iterator[Iterator[dict[str, Any]]]:
    """The documents of an archive file, one per line, read as they are needed."""
    with gzip.open(path, "rb") as compressed:
        yield (fastjson.loads(line) for line in compressed)


def _write_line(out: gzip.GzipFile, document: dict[str, Any]) -> None:
    out.write(fastjson.dumps(document).encode() + b"\n")


@contextmanager
def _gzip_writer(path: Path) -> Iterator[gzip.GzipFile]:
    """A new file, its owner's alone (it holds customers' orders), gzip-compressed with a header
    that names no file and no time (the same events give the same bytes), synced to disk before
    it is closed."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as compressed:
            yield compressed
        raw.flush()
        os.fsync(raw.fileno())


def _discard(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _durably_rename(source: Path, target: Path) -> None:
    """Give the synced file its final name, and sync the folder so the name survives too."""
    if target.exists():
        raise FileExistsError(f"{target} exists: an archive is never overwritten")
    source.rename(target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)

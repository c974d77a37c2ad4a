"""Cross-service reconciliation runs: which services still owe an answer, and the findings."""

import json

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

from services.andon.events import FactsNoted, ReconciliationRequested, ServicesReconciled
from services.andon.schemas import CrossCheckPublic
from shared.db import Connection
from shared.envelope import parse_time
from shared.messages import DomainEvent


def define_tables(metadata: MetaData) -> None:
    Table(
        "cross_check",
        metadata,
        Column("run_id", String(36), primary_key=True),
        Column("status", String(10), nullable=False),
        Column("awaiting", Text, nullable=False),
        Column("after_order", String(36)),
        Column("through_order", String(36)),
        Column("checked", Integer),
        Column("findings", Text, nullable=False),
        Column("requested_at", DateTime(timezone=True), nullable=False, index=True),
        Column("completed_at", DateTime(timezone=True)),
    )


async def project(conn: Connection, event: DomainEvent) -> None:
    match event:
        case ReconciliationRequested():
            await conn.execute(
                "INSERT INTO cross_check (run_id, status, awaiting, after_order, findings,"
                " requested_at) VALUES ($1, 'awaiting', '[]', $2, '[]', $3)"
                " ON CONFLICT (run_id) DO NOTHING",
                str(event.run_id),
                None if event.after is None else str(event.after),
                event.requested_at,
            )
            await _awaiting(conn, str(event.run_id), add=event.services)
        case FactsNoted():
            await _awaiting(conn, str(event.run_id), remove=event.service)
        case ServicesReconciled():
            await conn.execute(
                "UPDATE cross_check SET status = 'complete', through_order = $2, checked = $3,"
                " findings = $4, completed_at = $5 WHERE run_id = $1",
                str(event.run_id),
                None if event.through is None else str(event.through),
                event.checked,
                json.dumps([f.model_dump(mode="json") for f in event.findings]),
                event.completed_at,
            )


async def _awaiting(
    conn: Connection, run_id: str, *, add: tuple[str, ...] = (), remove: str | None = None
) -> None:
    row = await conn.fetchrow("SELECT awaiting FROM cross_check WHERE run_id = $1", run_id)
    if row is None:
        return
    awaiting = (set(json.loads(row["awaiting"])) | set(add)) - {remove}
    await conn.execute(
        "UPDATE cross_check SET awaiting = $2 WHERE run_id = $1",
        run_id,
        json.dumps(sorted(awaiting)),
    )


async def runs(
    conn: Connection, *, run_id: str | None = None, limit: int = 20
) -> list[CrossCheckPublic]:
    """The latest runs, newest first (or the one named)."""
    if run_id is None:
        rows = await conn.fetch(
            "SELECT * FROM cross_check ORDER BY requested_at DESC LIMIT $1", limit
        )
    else:
        rows = await conn.fetch("SELECT * FROM cross_check WHERE run_id = $1", run_id)
    return [
        CrossCheckPublic.model_validate(
            {
                "run_id": row["run_id"],
                "status": row["status"],
                "awaiting": json.loads(row["awaiting"]),
                "after": row["after_order"],
                "through": row["through_order"],
                "checked": row["checked"],
                "findings": json.loads(row["findings"]),
                "requested_at": parse_time(row["requested_at"]),
                "completed_at": None
                if row["completed_at"] is None
                else parse_time(row["completed_at"]),
            }
        )
        for row in rows
    ]

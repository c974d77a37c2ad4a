"""Cross-service reconciliation runs: which services still owe an answer, and the findings."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

from services.andon.events import FactsNoted, ReconciliationRequested, ServicesReconciled
from services.andon.schemas import CrossCheckPublic
from shared import rows
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


@dataclass(frozen=True, slots=True)
class CrossCheckRow(rows.Row):
    table = "cross_check"
    primary_key = ("run_id",)

    run_id: str
    after_order: str | None
    requested_at: datetime
    status: str = "awaiting"
    awaiting: str = "[]"
    findings: str = "[]"


@dataclass(frozen=True, slots=True)
class CrossCheckAwaiting(rows.Row):
    table = "cross_check"
    primary_key = ("run_id",)

    run_id: str
    awaiting: str  # the services the run still awaits, a JSON list


@dataclass(frozen=True, slots=True)
class CrossCheckCompleted(rows.Row):
    table = "cross_check"
    primary_key = ("run_id",)

    run_id: str
    through_order: str | None
    checked: int
    findings: str
    completed_at: datetime
    status: str = "complete"


async def project(conn: Connection, event: DomainEvent) -> None:
    match event:
        case ReconciliationRequested():
            after = None if event.after is None else str(event.after)
            run = CrossCheckRow(str(event.run_id), after, event.requested_at)
            await conn.execute(*rows.insert(run, on_conflict="skip"))
            await _awaiting(conn, str(event.run_id), add=event.services)
        case FactsNoted():
            await _awaiting(conn, str(event.run_id), remove=event.service)
        case ServicesReconciled():
            completed = CrossCheckCompleted(
                str(event.run_id),
                through_order=None if event.through is None else str(event.through),
                checked=event.checked,
                findings=json.dumps([f.model_dump(mode="json") for f in event.findings]),
                completed_at=event.completed_at,
            )
            await conn.execute(*rows.update(completed))


async def _awaiting(
    conn: Connection, run_id: str, *, add: tuple[str, ...] = (), remove: str | None = None
) -> None:
    row = await conn.fetchrow("SELECT awaiting FROM cross_check WHERE run_id = $1", run_id)
    if row is None:
        return
    awaiting = (set(json.loads(row["awaiting"])) | set(add)) - {remove}
    await conn.execute(*rows.update(CrossCheckAwaiting(run_id, json.dumps(sorted(awaiting)))))


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

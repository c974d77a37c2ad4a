"""Simulator read model: every task, when it is due, and whether it was answered.

The write side reads the tasks too, with its own query (services/simulator/lookups.py): change
it with the `simulator_task` table.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table

from services.simulator.domain import task_id_for
from services.simulator.events import Delivered, Packed, TaskCancelled, TaskKind, TaskReceived
from shared import rows
from shared.db import Connection, WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
task = Table(
    "simulator_task",
    metadata,
    Column("task_id", String(60), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("shipment_id", String(36), nullable=False),
    Column("order_id", String(36), nullable=False),
    Column("status", String(20), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
)
# The answering schedule reads waiting tasks by due time (lookups.due_tasks).
Index("ix_simulator_task_due", task.c.status, task.c.due_at)

STATUSES = ("waiting", "answered", "lost", "cancelled")


@dataclass(frozen=True, slots=True)
class TaskRow(rows.Row):
    table = "simulator_task"
    primary_key = ("task_id",)

    task_id: str
    kind: str
    shipment_id: str
    order_id: str
    status: str
    due_at: datetime
    received_at: datetime


@dataclass(frozen=True, slots=True)
class TaskFinishedRow(rows.Row):
    table = "simulator_task"
    primary_key = ("task_id",)

    task_id: str
    status: str
    finished_at: datetime


async def project(conn: WriteBehind, event: DomainEvent, envelope: Envelope, _: object) -> None:
    match event:
        case TaskReceived():
            received = TaskRow(
                event.task_id,
                str(event.kind),
                str(event.shipment_id),
                str(event.order_id),
                status="lost" if event.lost else "waiting",
                due_at=event.due_at,
                received_at=envelope.occurred_at,
            )
            await conn.execute(*rows.insert(received))
        case Packed():
            _finish(
                conn,
                task_id_for(TaskKind.PICK, event.shipment_id),
                "answered",
                envelope.occurred_at,
            )
        case Delivered():
            _finish(
                conn,
                task_id_for(TaskKind.SHIP, event.shipment_id),
                "answered",
                envelope.occurred_at,
            )
        case TaskCancelled():
            _finish(conn, event.task_id, "cancelled", envelope.occurred_at)


def _finish(conn: WriteBehind, task_id: str, status: str, at: datetime) -> None:
    finished = TaskFinishedRow(task_id, status, at)
    conn.defer(("simulator_task.finished", task_id), *rows.update(finished))


async def counts(conn: Connection) -> dict[str, dict[str, int]]:
    """Tasks by kind and status: {"pick": {"waiting": 2, ...}, "ship": {...}}."""
    tally = await conn.fetch("SELECT kind, status, count(*) AS n FROM simulator_task GROUP BY 1, 2")
    found = {(row["kind"], row["status"]): int(row["n"]) for row in tally}
    return {kind: {s: found.get((kind, s), 0) for s in STATUSES} for kind in ("pick", "ship")}

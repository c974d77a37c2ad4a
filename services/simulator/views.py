"""Simulator read model: every task, when it is due, and whether it was answered.

The write side reads the tasks too, with its own query (services/simulator/lookups.py): change
it with the `simulator_task` table.
"""

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table

from services.simulator.domain import task_id_for
from services.simulator.events import Delivered, Packed, TaskCancelled, TaskKind, TaskReceived
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


async def project(conn: WriteBehind, event: DomainEvent, envelope: Envelope, _: object) -> None:
    match event:
        case TaskReceived():
            await conn.execute(
                "INSERT INTO simulator_task (task_id, kind, shipment_id, order_id, status, due_at,"
                " received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                event.task_id,
                str(event.kind),
                str(event.shipment_id),
                str(event.order_id),
                "lost" if event.lost else "waiting",
                event.due_at,
                envelope.occurred_at,
            )
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
    conn.defer(
        ("simulator_task.finished", task_id),
        "UPDATE simulator_task SET status = $2, finished_at = $3 WHERE task_id = $1",
        task_id,
        status,
        at,
    )


async def counts(conn: Connection) -> dict[str, dict[str, int]]:
    """Tasks by kind and status: {"pick": {"waiting": 2, ...}, "ship": {...}}."""
    rows = await conn.fetch("SELECT kind, status, count(*) AS n FROM simulator_task GROUP BY 1, 2")
    found = {(row["kind"], row["status"]): int(row["n"]) for row in rows}
    return {kind: {s: found.get((kind, s), 0) for s in STATUSES} for kind in ("pick", "ship")}

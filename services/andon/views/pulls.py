"""The andon board: one row per pull (its ticket), with every puller; stats per category."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from services.andon.events import AndonPulled, AndonPulledAgain, AndonResolved
from services.andon.schemas import Puller
from shared import changes, rows
from shared.changes import mark_column
from shared.db import Connection, Row, WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent
from shared.paging import Listing


def define_tables(metadata: MetaData) -> None:
    Table(
        "andon_pull",
        metadata,
        Column("pull_id", String(36), primary_key=True),
        Column("target_kind", String(20), nullable=False, index=True),
        Column("target_id", String(200), nullable=False, index=True),
        Column("reason", Text, nullable=False),
        Column("category", String(30), nullable=False),
        Column("pulled_by", String(200), nullable=False),
        Column("automatic", Boolean, nullable=False),
        Column("departments", Text, nullable=False),
        Column("details", Text, nullable=False),
        Column("pullers", Text, nullable=False),
        Column("pull_count", Integer, nullable=False),
        Column("open", Boolean, nullable=False),
        Column("pulled_at", DateTime(timezone=True), nullable=False),
        Column("resolved_at", DateTime(timezone=True)),
        Column("root_cause", Text),
        Column("fix", Text),
        Column("resolved_by", String(200)),
        Column("seconds_to_resolve", Float),
        mark_column(),
        # GET /v1/andon/pulls pages by pull time, all or the open ones, and as a feed.
        Index("ix_andon_pull_pulled_at", "pulled_at", "pull_id"),
        Index("ix_andon_pull_open_pulled_at", "open", "pulled_at", "pull_id"),
        Index("ix_andon_pull_change_mark", "change_mark", "pull_id"),
    )


@dataclass(frozen=True, slots=True)
class PullRow(rows.Row):
    table = "andon_pull"
    primary_key = ("pull_id",)

    pull_id: str
    target_kind: str
    target_id: str
    reason: str
    category: str
    pulled_by: str
    automatic: bool
    departments: str
    details: str
    pullers: str
    pulled_at: datetime
    pull_count: int = 1
    open: bool = True


@dataclass(frozen=True, slots=True)
class PulledAgain(rows.Row):
    table = "andon_pull"
    primary_key = ("pull_id",)

    pull_id: str
    pullers: str
    pull_count: int
    reason: str
    details: str


@dataclass(frozen=True, slots=True)
class PullResolved(rows.Row):
    table = "andon_pull"
    primary_key = ("pull_id",)

    pull_id: str
    resolved_at: datetime
    root_cause: str
    fix: str
    resolved_by: str
    seconds_to_resolve: float
    open: bool = False


def _puller(event: AndonPulled | AndonPulledAgain) -> Puller:
    """One puller as the board lists it (its time as the event's JSON has it)."""
    fields = {"pulled_by", "reason", "automatic", "pulled_at"}
    return Puller.model_validate(event.model_dump(mode="json", include=fields))


async def project(conn: WriteBehind, event: DomainEvent, envelope: Envelope) -> None:
    match event:
        case AndonPulled():
            pulled = PullRow(
                str(event.pull_id),
                target_kind=str(event.target_kind),
                target_id=event.target_id,
                reason=event.reason,
                category=str(event.category),
                pulled_by=event.pulled_by,
                automatic=event.automatic,
                departments=json.dumps(list(event.departments), sort_keys=True),
                details=json.dumps(event.details, sort_keys=True),
                pullers=json.dumps([_puller(event).model_dump()], sort_keys=True),
                pulled_at=event.pulled_at,
            )
            await conn.execute(*rows.insert(pulled, mark=changes.now(conn)))
        case AndonPulledAgain():
            await _pulled_again(conn, event)
        case AndonResolved():
            resolved = PullResolved(
                str(event.pull_id),
                resolved_at=envelope.occurred_at,
                root_cause=event.root_cause,
                fix=event.fix,
                resolved_by=event.resolved_by,
                seconds_to_resolve=event.seconds_to_resolve,
            )
            await conn.execute(*rows.update(resolved, mark=changes.now(conn)))


async def _pulled_again(conn: WriteBehind, event: AndonPulledAgain) -> None:
    """The board shows the latest reason and details (a burst of dead letters: the last one)."""
    pull_id = str(event.pull_id)
    row = await conn.fetchrow("SELECT pullers FROM andon_pull WHERE pull_id = $1", pull_id)
    if row is None:
        return
    pullers = [*json.loads(row["pullers"]), _puller(event).model_dump()]
    again = PulledAgain(
        pull_id,
        pullers=json.dumps(pullers, sort_keys=True),
        pull_count=len(pullers),
        reason=event.reason,
        details=json.dumps(event.details, sort_keys=True),
    )
    await conn.execute(*rows.update(again, mark=changes.now(conn)))


PULLS = Listing(
    name="pulls",
    source="andon_pull",
    columns="pull_id, target_kind, target_id, reason, category, pulled_by, automatic,"
    " departments, details, pullers, pull_count, open, pulled_at, resolved_at, root_cause, fix,"
    " resolved_by, seconds_to_resolve",
    order=(("pulled_at", datetime), ("pull_id", str)),
    row_key=(("pull_id", str),),
)


async def pull(conn: Connection, pull_id: str) -> Row | None:
    return await conn.fetchrow(
        f"SELECT {PULLS.columns} FROM andon_pull WHERE pull_id = $1", pull_id
    )


async def stats(conn: Connection) -> list[Row]:
    """Per category: pulls, open and automatic ones, resolved ones and their total seconds."""
    return await conn.fetch(
        "SELECT category, COUNT(*) AS pull_count,"
        " SUM(CASE WHEN open THEN 1 ELSE 0 END) AS open_count,"
        " SUM(CASE WHEN automatic THEN 1 ELSE 0 END) AS automatic_count,"
        " COUNT(seconds_to_resolve) AS resolved_count,"
        " SUM(seconds_to_resolve) AS seconds_to_resolve"
        " FROM andon_pull GROUP BY category ORDER BY category"
    )


async def stats_by_kind(conn: Connection) -> list[Row]:
    return await conn.fetch(
        "SELECT category, automatic, COUNT(*) AS pull_count,"
        " SUM(CASE WHEN open THEN 1 ELSE 0 END) AS open_count"
        " FROM andon_pull GROUP BY category, automatic"
    )


async def resolve_times(conn: Connection) -> list[Row]:
    return await conn.fetch(
        "SELECT category, seconds_to_resolve FROM andon_pull WHERE seconds_to_resolve IS NOT NULL"
    )

"""Improvement items (one per resolved pull) and the report behind GET /v1/improvements."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

from services.andon.events import ImprovementAudited, ImprovementOpened, ImprovementRevised
from services.andon.schemas import CauseCount, ImprovementPublic, ImprovementReport, Offender
from shared import rows
from shared.db import Connection, Row
from shared.messages import DomainEvent


def define_tables(metadata: MetaData) -> None:
    Table(
        "improvement_item",
        metadata,
        Column("item_id", String(36), primary_key=True),
        Column("category", String(30), nullable=False),
        Column("target_kind", String(20), nullable=False),
        Column("target_id", String(200), nullable=False),
        Column("pulled_at", DateTime(timezone=True), nullable=False),
        Column("cause_code", String(60), nullable=False),
        Column("root_cause", Text, nullable=False),
        Column("countermeasure", Text, nullable=False),
        Column("owner", String(200), nullable=False),
        Column("status", String(20), nullable=False),
        Column("fixed_at", DateTime(timezone=True), nullable=False),
        Column("audit_at", DateTime(timezone=True), nullable=False),
        Column("orders_affected", Integer, nullable=False),
        Column("audits", Integer, nullable=False),
        Column("reopened", Integer, nullable=False),
        Column("audited_at", DateTime(timezone=True)),
        Column("evidence", Text, nullable=False),
        Index("ix_improvement_item_due", "status", "audit_at"),
        Index("ix_improvement_item_cause", "category", "cause_code", "pulled_at"),
        Index("ix_improvement_item_target", "target_kind", "target_id", "category"),
        Index("ix_improvement_item_fixed", "fixed_at"),
    )


@dataclass(frozen=True, slots=True)
class ImprovementRow(rows.Row):
    table = "improvement_item"
    primary_key = ("item_id",)

    item_id: str
    category: str
    target_kind: str
    target_id: str
    pulled_at: datetime
    cause_code: str
    root_cause: str
    countermeasure: str
    owner: str
    fixed_at: datetime
    audit_at: datetime
    orders_affected: int
    status: str = "awaiting_audit"
    audits: int = 0
    reopened: int = 0
    evidence: str = "[]"


@dataclass(frozen=True, slots=True)
class ImprovementRevision(rows.Row):
    table = "improvement_item"
    primary_key = ("item_id",)

    item_id: str
    countermeasure: str
    fixed_at: datetime
    audit_at: datetime
    status: str = "awaiting_audit"


async def project(conn: Connection, event: DomainEvent) -> None:
    match event:
        case ImprovementOpened():
            item = ImprovementRow(
                str(event.item_id),
                category=str(event.category),
                target_kind=str(event.target_kind),
                target_id=event.target_id,
                pulled_at=event.pulled_at,
                cause_code=event.cause_code,
                root_cause=event.root_cause,
                countermeasure=event.countermeasure,
                owner=event.owner,
                fixed_at=event.fixed_at,
                audit_at=event.audit_at,
                orders_affected=event.orders_affected,
            )
            await conn.execute(*rows.insert(item))
        case ImprovementAudited():
            await conn.execute(
                "UPDATE improvement_item SET status = $2, audited_at = $3, evidence = $4,"
                " audits = audits + 1, reopened = reopened + $5 WHERE item_id = $1",
                str(event.item_id),
                event.outcome,
                event.audited_at,
                json.dumps([str(pull) for pull in event.evidence]),
                int(event.outcome == "reopened"),
            )
        case ImprovementRevised():
            revision = ImprovementRevision(
                str(event.item_id),
                countermeasure=event.countermeasure,
                fixed_at=event.fixed_at,
                audit_at=event.audit_at,
            )
            await conn.execute(*rows.update(revision))


async def report(
    conn: Connection, *, status: str | None, owner: str | None, since: datetime, limit: int
) -> ImprovementReport:
    """Items fixed since `since` (by status and owner), with the Pareto of causes, open items by
    owner, repeat offenders and recurrence after a fix."""
    found = await _items(conn, status=status, owner=owner, since=since, limit=limit)
    causes = await conn.fetch(
        "SELECT category, cause_code, COUNT(*) AS items, SUM(orders_affected) AS orders"
        " FROM improvement_item WHERE fixed_at >= $1 GROUP BY category, cause_code",
        since,
    )
    owners = await conn.fetch(
        "SELECT owner, COUNT(*) AS items FROM improvement_item"
        " WHERE status IN ('awaiting_audit', 'reopened') GROUP BY owner ORDER BY owner"
    )
    offenders = await conn.fetch(
        "SELECT target_kind, target_id, COUNT(*) AS pulls, SUM(orders_affected) AS orders"
        " FROM improvement_item WHERE fixed_at >= $1 GROUP BY target_kind, target_id"
        " HAVING COUNT(*) > 1",
        since,
    )
    audits = await conn.fetchrow(
        "SELECT COALESCE(SUM(audits), 0) AS audits, COALESCE(SUM(reopened), 0) AS reopened"
        " FROM improvement_item WHERE fixed_at >= $1",
        since,
    )
    assert audits is not None
    total, reopened = int(audits["audits"]), int(audits["reopened"])
    pareto = [
        CauseCount(
            category=row["category"],
            cause_code=row["cause_code"],
            items=int(row["items"]),
            orders_affected=int(row["orders"] or 0),
        )
        for row in causes
    ]
    repeat_offenders = [
        Offender(
            target_kind=row["target_kind"],
            target_id=row["target_id"],
            pulls=int(row["pulls"]),
            orders_affected=int(row["orders"] or 0),
        )
        for row in offenders
    ]
    return ImprovementReport(
        items=found,
        pareto_by_count=sorted(pareto, key=lambda c: (-c.items, c.cause_code)),
        pareto_by_orders=sorted(pareto, key=lambda c: (-c.orders_affected, c.cause_code)),
        open_by_owner={row["owner"]: int(row["items"]) for row in owners},
        repeat_offenders=sorted(
            repeat_offenders, key=lambda o: (-o.pulls, o.target_kind, o.target_id)
        ),
        audits=total,
        recurrence_rate=reopened / total if total else None,
    )


async def _items(
    conn: Connection, *, status: str | None, owner: str | None, since: datetime, limit: int
) -> list[ImprovementPublic]:
    where, args = "fixed_at >= $1", list[object]([since])
    for column, value in (("status", status), ("owner", owner)):
        if value is not None:
            args.append(value)
            where += f" AND {column} = ${len(args)}"
    rows = await conn.fetch(
        f"SELECT * FROM improvement_item WHERE {where} ORDER BY fixed_at DESC, item_id"
        f" LIMIT ${len(args) + 1}",
        *args,
        limit,
    )
    return [_public(row) for row in rows]


def _public(row: Row) -> ImprovementPublic:
    return ImprovementPublic.model_validate({**dict(row), "evidence": json.loads(row["evidence"])})

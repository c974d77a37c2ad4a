"""Improvement items (one per resolved pull) and the report behind GET /v1/improvements."""

import json
from datetime import datetime

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

from services.andon.events import ImprovementAudited, ImprovementOpened, ImprovementRevised
from services.andon.schemas import CauseCount, ImprovementPublic, ImprovementReport, Offender
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


async def project(conn: Connection, event: DomainEvent) -> None:
    match event:
        case ImprovementOpened():
            await conn.execute(
                "INSERT INTO improvement_item (item_id, category, target_kind, target_id,"
                " pulled_at, cause_code, root_cause, countermeasure, owner, status, fixed_at,"
                " audit_at, orders_affected, audits, reopened, evidence) VALUES ($1, $2, $3, $4,"
                " $5, $6, $7, $8, $9, 'awaiting_audit', $10, $11, $12, 0, 0, '[]')",
                str(event.item_id),
                str(event.category),
                str(event.target_kind),
                event.target_id,
                event.pulled_at,
                event.cause_code,
                event.root_cause,
                event.countermeasure,
                event.owner,
                event.fixed_at,
                event.audit_at,
                event.orders_affected,
            )
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
            await conn.execute(
                "UPDATE improvement_item SET status = 'awaiting_audit', countermeasure = $2,"
                " fixed_at = $3, audit_at = $4 WHERE item_id = $1",
                str(event.item_id),
                event.countermeasure,
                event.fixed_at,
                event.audit_at,
            )


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

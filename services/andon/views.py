"""Andon read model: the andon board."""

import json
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, MetaData, String, Table, Text

from shared.db import Connection
from shared.envelope import Envelope, parse_time
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
Table(
    "andon_pull",
    metadata,
    Column("pull_id", String(36), primary_key=True),
    Column("target_kind", String(20), nullable=False),
    Column("target_id", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("category", String(30), nullable=False),
    Column("automatic", Boolean, nullable=False),
    Column("details", Text, nullable=False),
    Column("open", Boolean, nullable=False),
    Column("pulled_at", DateTime(timezone=True), nullable=False),
)


async def project(conn: Connection, envelope: Envelope) -> None:
    if envelope.event_type == "AndonRaised":
        data = envelope.data
        await conn.execute(
            "INSERT INTO andon_pull (pull_id, target_kind, target_id, reason, category, automatic,"
            " details, open, pulled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8)",
            data["pull_id"],
            data["target_kind"],
            data["target_id"],
            data["reason"],
            data["category"],
            data["automatic"],
            json.dumps(data["details"]),
            envelope.occurred_at,
        )


async def pulls(conn: Connection, *, open_only: bool) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT * FROM andon_pull WHERE open OR NOT $1 ORDER BY pulled_at DESC LIMIT 500",
        open_only,
    )
    return [
        {
            **dict(row),
            "automatic": bool(row["automatic"]),
            "open": bool(row["open"]),
            "details": json.loads(row["details"]),
            "pulled_at": parse_time(row["pulled_at"]).isoformat(),
        }
        for row in rows
    ]

"""Andon read models: what the API and its metrics read, all folded from the service's own
events (rebuildable). Handlers ask services/andon/lookups instead, whose queries also read the
tables the API shares with them: pulls, watched orders and their lines, gaps, improvements."""

from sqlalchemy import MetaData

from services.andon.views import board, complaints, cross_checks, improvements, pulls, watch
from shared.db import WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
pulls.define_tables(metadata)
watch.define_tables(metadata)
improvements.define_tables(metadata)
cross_checks.define_tables(metadata)
complaints.define_tables(metadata)


async def project(conn: WriteBehind, event: DomainEvent, envelope: Envelope, _: object) -> None:
    await pulls.project(conn, event, envelope)
    await watch.project(conn, event)
    await improvements.project(conn, event)
    await cross_checks.project(conn, event)
    await complaints.project(conn, event)


__all__ = [
    "board",
    "complaints",
    "cross_checks",
    "improvements",
    "metadata",
    "project",
    "pulls",
    "watch",
]

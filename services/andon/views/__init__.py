"""Andon read models, all folded from the service's own events (rebuildable)."""

from sqlalchemy import MetaData

from services.andon.views import board, improvements, pulls, watch
from shared.aggregate import Aggregate
from shared.db import Connection
from shared.envelope import Envelope
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
pulls.define_tables(metadata)
watch.define_tables(metadata)
improvements.define_tables(metadata)


async def project(conn: Connection, envelope: Envelope, _: Aggregate | None = None) -> None:
    await pulls.project(conn, envelope)
    await watch.project(conn, envelope)
    await improvements.project(conn, envelope)


__all__ = ["board", "improvements", "metadata", "project", "pulls", "watch"]

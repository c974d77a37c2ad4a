"""Andon read models, all folded from the service's own events (rebuildable)."""

from sqlalchemy import MetaData

from services.andon.views import board, pulls, watch
from shared.aggregate import Aggregate
from shared.db import WriteBehind
from shared.envelope import Envelope
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
pulls.define_tables(metadata)
watch.define_tables(metadata)


async def project(conn: WriteBehind, envelope: Envelope, _: Aggregate | None = None) -> None:
    await pulls.project(conn, envelope)
    await watch.project(conn, envelope)


__all__ = ["board", "metadata", "project", "pulls", "watch"]

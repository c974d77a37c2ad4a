"""The andon write side's own indexes: what handlers and jobs read, never the API.

Tables only the write side reads are declared here and folded from the service's events in the
same transaction as the read models (rebuilt with them). Where a handler needs a table the API
shows too, the table stays a read model (services/andon/views) and a query here reads it.
"""

from sqlalchemy import MetaData

from services.andon.lookups import improvements, pulls, watch
from shared.db import WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
watch.define_tables(metadata)


async def project(conn: WriteBehind, event: DomainEvent, _: Envelope, __: object) -> None:
    watch.project(conn, event)


__all__ = ["improvements", "metadata", "project", "pulls", "watch"]

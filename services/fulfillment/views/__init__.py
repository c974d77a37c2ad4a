"""Fulfillment read models: shipments, invoices and andon holds, updated with their events."""

from services.fulfillment.views import holds, invoices, shipments
from services.fulfillment.views.tables import metadata
from shared.aggregate import Aggregate
from shared.db import Connection
from shared.envelope import Envelope

__all__ = ["holds", "invoices", "metadata", "project", "shipments"]


async def project(conn: Connection, envelope: Envelope, _: Aggregate | None = None) -> None:
    await shipments.project(conn, envelope)
    await invoices.project(conn, envelope)
    await holds.project(conn, envelope)

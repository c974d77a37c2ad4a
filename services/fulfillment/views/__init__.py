"""Fulfillment read models: shipments and invoices, updated in the transaction of their events."""

from services.fulfillment.views import invoices, shipments
from services.fulfillment.views.tables import metadata
from shared.db import Connection
from shared.envelope import Envelope

__all__ = ["invoices", "metadata", "project", "shipments"]


async def project(conn: Connection, envelope: Envelope) -> None:
    await shipments.project(conn, envelope)
    await invoices.project(conn, envelope)

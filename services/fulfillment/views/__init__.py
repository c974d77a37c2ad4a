"""Fulfillment read models: shipments, invoices and andon holds, updated with their events."""

from services.fulfillment.views import holds, invoices, shipments
from services.fulfillment.views.tables import metadata
from shared.db import WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent

__all__ = ["holds", "invoices", "metadata", "project", "shipments"]


async def project(conn: WriteBehind, event: DomainEvent, envelope: Envelope, _: object) -> None:
    await shipments.project(conn, event, envelope)
    await invoices.project(conn, event, envelope)
    await holds.project(conn, event)

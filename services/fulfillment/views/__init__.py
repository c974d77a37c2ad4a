"""Fulfillment read models: shipments, invoices, returns and the andon holds on shipments,
updated with their events."""

from services.fulfillment.views import holds, invoices, returns, shipments
from services.fulfillment.views.tables import metadata
from shared.aggregate import Aggregate
from shared.db import WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent

__all__ = ["holds", "invoices", "metadata", "project", "returns", "shipments"]


async def project(
    conn: WriteBehind, event: DomainEvent, envelope: Envelope, recorded_by: Aggregate | None
) -> None:
    await shipments.project(conn, event, envelope, recorded_by)
    await invoices.project(conn, event, envelope, recorded_by)
    await returns.project(conn, event, envelope)
    await holds.project(conn, event)

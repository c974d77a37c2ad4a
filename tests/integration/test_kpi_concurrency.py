"""An order's own events and its flow marks, projected into its KPI facts by two transactions at
once on PostgreSQL: the second folds onto what the first committed, so nothing is lost and the
facts are what a rebuild (one event after the other) makes of them.

The two are separate streams (`Order`, `FlowMarks`), recorded by different consumers, so in
scale-out their transactions can overlap on the same order.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from services.order.domain import kpis as domain
from services.order.events import ComplaintNoted, OrderHeld, OrderLine, OrderPlaced, ShipTo
from services.order.service import DEFINITION
from services.order.views import kpis
from shared.db import PostgresDatabase, WriteBehind, create_tables
from shared.messages import DomainEvent
from shared.testing.builders import an_envelope

pytestmark = pytest.mark.integration

AT = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
ORDER_ID = uuid4()
PLACED = OrderPlaced(
    order_id=ORDER_ID,
    customer_id="c-1",
    channel="web",
    external_id=None,
    lines=(OrderLine(sku="S", quantity=2, unit_price_cents=100),),
    total_cents=200,
    ship_to=ShipTo(name="A", line1="1 Road", city="Town", postal_code="1", country="SE"),
    segment="AA",
    priority=1,
    deadline=AT + timedelta(hours=1),
    backorder_rule="ship_partial",
    received_at=AT,
)
HELD = OrderHeld(order_id=ORDER_ID, hold="credit_review", reason="over the limit")
COMPLAINED = ComplaintNoted(order_id=ORDER_ID, complaint_id=uuid4(), recorded_at=AT)


async def _fold(conn: WriteBehind, event: DomainEvent, at: datetime) -> None:
    """As the unit of work projects one recorded event: its batch's facts first, then it."""
    envelope = an_envelope(
        event_type=event.event_type(), aggregate_id=str(ORDER_ID), occurred_at=at, source="order"
    )
    await kpis.projection.prefetch(conn, [envelope])
    await kpis.projection(conn, event, envelope, None)


async def test_an_orders_event_and_its_flow_mark_projected_at_once_both_count(
    postgres_db: PostgresDatabase,
) -> None:
    for tables in DEFINITION.owned_tables():
        await create_tables(postgres_db, tables)
    async with postgres_db.transaction() as raw:
        placed = WriteBehind(raw)
        await _fold(placed, PLACED, AT)
        await placed.write_all()

    async def complaint_alongside() -> None:
        async with postgres_db.transaction() as raw:
            marks = WriteBehind(raw)
            await _fold(marks, COMPLAINED, AT + timedelta(minutes=2))
            await marks.write_all()

    async with postgres_db.transaction() as raw:
        order = WriteBehind(raw)
        await _fold(order, HELD, AT + timedelta(minutes=1))
        alongside = asyncio.create_task(complaint_alongside())
        await asyncio.sleep(0.5)  # long enough for the other to read the facts, were it let
        await order.write_all()
    await alongside

    async with postgres_db.transaction() as conn:
        stored = await conn.fetchval(
            "SELECT facts FROM kpi_order WHERE order_id = $1", str(ORDER_ID)
        )
    expected = domain.start(PLACED, AT)
    expected = domain.apply(expected, HELD, AT + timedelta(minutes=1))
    expected = domain.apply(expected, COMPLAINED, AT + timedelta(minutes=2))
    assert domain.FlowFacts.model_validate_json(stored) == expected
    assert expected.complained and expected != domain.start(PLACED, AT)

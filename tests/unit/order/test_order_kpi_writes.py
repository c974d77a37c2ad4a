"""The KPI projection's writes are batch-shaped: a batch of orders costs one statement per KPI
table, however many orders and events it holds, and reads nothing it holds itself."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from services.order.events import OrderLine, OrderPlaced, OrderReleased, ShipTo
from services.order.views import kpis
from shared.db import Dialect, Row, WriteBehind
from shared.messages import DomainEvent
from shared.testing.builders import an_envelope

AT = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
SHIP_TO = ShipTo(name="A", line1="1 Road", city="Town", postal_code="1", country="SE")
LINES = (OrderLine(sku="S", quantity=2, unit_price_cents=100),)


class Recorder:
    """A connection that notes each round trip instead of running it."""

    dialect: Dialect = "postgresql"

    def __init__(self) -> None:
        self.batches: dict[str, int] = {}
        self.reads: list[tuple[str, Sequence[Any]]] = []

    async def execute(self, sql: str, *args: Any) -> None:
        raise AssertionError(f"one statement for one row: {sql} {args}")

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        table = sql.split()[2]
        assert table not in self.batches, f"{table} written twice"
        self.batches[table] = len(list(rows))

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        self.reads.append((sql, args))
        return []

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        self.reads.append((sql, args))
        return None

    async def fetchval(self, sql: str, *args: Any) -> Any:
        self.reads.append((sql, args))


def _placed(order_id: UUID) -> OrderPlaced:
    return OrderPlaced(
        order_id=order_id,
        customer_id="c-1",
        channel="web",
        external_id=None,
        lines=LINES,
        total_cents=200,
        ship_to=SHIP_TO,
        segment="AA",
        priority=1,
        deadline=AT + timedelta(hours=1),
        backorder_rule="ship_partial",
        received_at=AT,
    )


def _released(order_id: UUID) -> OrderReleased:
    return OrderReleased(
        order_id=order_id,
        release_no=1,
        customer_id="c-1",
        lines=LINES,
        priority=1,
        deadline=AT + timedelta(hours=1),
        ship_to=SHIP_TO,
    )


async def _project(conn: WriteBehind, order_id: UUID, event: DomainEvent, at: datetime) -> None:
    envelope = an_envelope(
        event_type=event.event_type(), aggregate_id=str(order_id), occurred_at=at, source="order"
    )
    await kpis.project(conn, event, envelope, None)


async def test_a_batch_of_accepted_and_released_orders_writes_each_kpi_table_once() -> None:
    recorder = Recorder()
    conn = WriteBehind(recorder)

    for _ in range(50):
        order_id = uuid4()
        await _project(conn, order_id, _placed(order_id), AT)
        await _project(conn, order_id, _released(order_id), AT + timedelta(minutes=5))
    await conn.write_all()

    assert recorder.reads == []  # every order's facts were in hand
    # 50 order rows; one cohort row and one step row (one hour, one segment, one channel);
    # the status rows of "released" and its predecessor.
    assert recorder.batches["kpi_order"] == 50
    assert recorder.batches["kpi_cohort"] == 1
    assert recorder.batches["kpi_step"] == 1
    assert recorder.batches["kpi_status"] == 2
    assert set(recorder.batches) <= {
        "kpi_order",
        "kpi_cohort",
        "kpi_step",
        "kpi_total",
        "kpi_status",
    }


async def test_a_batch_of_earlier_orders_events_reads_their_facts_in_one_query() -> None:
    recorder = Recorder()
    conn = WriteBehind(recorder)
    orders = [uuid4() for _ in range(50)]
    envelopes = [
        an_envelope(event_type="OrderReleased", aggregate_id=str(order_id), source="order")
        for order_id in orders
    ]

    await kpis.projection.prefetch(conn, envelopes)
    for order_id, envelope in zip(orders, envelopes, strict=True):
        await kpis.projection(conn, _released(order_id), envelope, None)

    assert len(recorder.reads) == 1
    assert sorted(recorder.reads[0][1]) == sorted(str(order_id) for order_id in orders)

"""KPI read model: per-order flow facts and hourly sums, updated by the event in hand.

`kpi_order` keeps each order's `FlowFacts`; `kpi_cohort` sums the orders' contributions by the
hour they were accepted (and segment, channel, customer class); `kpi_step` counts orders by the
hour they reached each step after intake (throughput; "received" is the cohort's count);
`kpi_total` keeps the all-time totals behind the metrics; `kpi_status` counts orders by funnel
status. An event changes one order's facts, so it adds the difference it made to one cohort row,
a few step and total rows and two status rows: the work per event never grows with history, and
a window's figures are a sum over its hours' rows, never over its orders.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text

from services.order.domain import Order
from services.order.domain import kpis as domain
from services.order.domain.flow_marks import FlowMarks
from services.order.events import OrderPlaced
from shared.aggregate import Aggregate
from shared.db import Connection, placeholders
from shared.envelope import Envelope

HOUR = timedelta(hours=1)
_KEY = ("hour", "segment", "channel", "customer_class")


def define_tables(metadata: MetaData) -> None:
    Table(
        "kpi_order",
        metadata,
        Column("order_id", String(36), primary_key=True),
        Column("hour", Integer, nullable=False),
        Column("segment", String(2), nullable=False),
        Column("channel", String(100), nullable=False),
        Column("customer_class", String(1), nullable=False),
        Column("status", String(30), nullable=False),
        Column("facts", Text, nullable=False),
    )
    Table(
        "kpi_cohort",
        metadata,
        *_key_columns(),
        *(Column(name, BigInteger, nullable=False, server_default="0") for name in domain.COUNTS),
    )
    Table(
        "kpi_step",
        metadata,
        *_key_columns(),
        *(
            Column(step, BigInteger, nullable=False, server_default="0")
            for step in domain.STEP_COLUMNS
        ),
    )
    Table(
        "kpi_total",
        metadata,
        Column("metric", String(60), primary_key=True),
        Column("label", String(30), primary_key=True),
        Column("value", BigInteger, nullable=False),
    )
    Table(
        "kpi_status",
        metadata,
        Column("status", String(30), primary_key=True),
        Column("orders", BigInteger, nullable=False),
    )


def _key_columns() -> list[Column[Any]]:
    # Hours since the epoch: an integer compares the same way on every database.
    return [
        Column("hour", Integer, primary_key=True),
        Column("segment", String(2), primary_key=True),
        Column("channel", String(100), primary_key=True),
        Column("customer_class", String(1), primary_key=True),
    ]


def hour_of(at: datetime) -> int:
    return int(at.timestamp() // 3600)


def start_of(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * 3600, UTC)


async def project(conn: Connection, envelope: Envelope, _: Aggregate | None = None) -> None:
    """Fold one order event (or flow mark: both streams are keyed by the order id) into the
    order's facts and the sums they feed."""
    event_class = Order.event_classes.get(envelope.event_type) or FlowMarks.event_classes.get(
        envelope.event_type
    )
    if event_class is None:
        return
    event = event_class.model_validate(envelope.data)
    if isinstance(event, OrderPlaced):
        before = None
        after = domain.start(event, envelope.occurred_at)
    else:
        row = await conn.fetchrow(
            "SELECT facts FROM kpi_order WHERE order_id = $1",
            envelope.aggregate_id,
        )
        if row is None:
            return  # nothing to fold onto (an order stream that never had its OrderPlaced)
        before = domain.FlowFacts.model_validate_json(row["facts"])
        after = domain.apply(before, event, envelope.occurred_at)
        if after == before:
            return
    await _save(conn, envelope.aggregate_id, before, after)


async def _save(
    conn: Connection, order_id: str, before: domain.FlowFacts | None, after: domain.FlowFacts
) -> None:
    hour = hour_of(after.accepted_at)
    key = (hour, after.segment, after.channel, after.customer_class)
    if before is None:
        await conn.execute(
            "INSERT INTO kpi_order (order_id, hour, segment, channel, customer_class, status,"
            " facts) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            order_id,
            *key,
            after.status,
            after.model_dump_json(),
        )
    else:
        await conn.execute(
            "UPDATE kpi_order SET status = $2, facts = $3 WHERE order_id = $1",
            order_id,
            after.status,
            after.model_dump_json(),
        )
    old = domain.contributions(before) if before else {}
    await _add(conn, "kpi_cohort", key, domain.difference(old, domain.contributions(after)))
    old_steps = before.step_times() if before else {}
    for step, at in after.step_times().items():
        if step not in old_steps:
            step_key = (hour_of(at), *key[1:])
            await _add(conn, "kpi_step", step_key, {step: 1})
    old_totals = domain.totals(before) if before else {}
    totals = _changed(old_totals, domain.totals(after))
    if totals:
        await conn.execute(
            "INSERT INTO kpi_total (metric, label, value) VALUES"
            f" {_rows(len(totals), 3)} ON CONFLICT (metric, label)"
            " DO UPDATE SET value = kpi_total.value + excluded.value",
            *(
                value
                for (metric, label), amount in totals.items()
                for value in (metric, label, amount)
            ),
        )
    if before is None or before.status != after.status:
        moved = [(after.status, 1)] + ([(before.status, -1)] if before is not None else [])
        await conn.execute(
            f"INSERT INTO kpi_status (status, orders) VALUES {_rows(len(moved), 2)}"
            " ON CONFLICT (status) DO UPDATE SET orders = kpi_status.orders + excluded.orders",
            *(value for row in moved for value in row),
        )


def _rows(count: int, width: int) -> str:
    """`($1, $2), ($3, $4)`: the VALUES of a multi-row insert (one round trip for all)."""
    return ", ".join(f"({placeholders(width, first=1 + i * width)})" for i in range(count))


def _changed(
    before: Mapping[tuple[str, str], int], after: Mapping[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    keys = before.keys() | after.keys()
    changed = {key: after.get(key, 0) - before.get(key, 0) for key in sorted(keys)}
    return {key: value for key, value in changed.items() if value}


async def _add(
    conn: Connection, table: str, key: Sequence[object], amounts: Mapping[str, int]
) -> None:
    """Add `amounts` to the row of `key`, creating it (one statement on both databases)."""
    if not amounts:
        return
    names = sorted(amounts)
    columns = ", ".join((*_KEY, *names))
    sums = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in names)
    await conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders(len(_KEY) + len(names))})"
        f" ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {sums}",
        *key,
        *(amounts[name] for name in names),
    )


# Queries: each reads the rows of the window's hours (or the few status rows), never orders.


def _filters(
    segment: str | None, channel: str | None, customer_class: str | None, first: int
) -> tuple[str, list[object]]:
    clauses: list[str] = []
    args: list[object] = []
    for column, value in (
        ("segment", segment),
        ("channel", channel),
        ("customer_class", customer_class),
    ):
        if value is not None:
            args.append(value)
            clauses.append(f" AND {column} = ${first + len(args) - 1}")
    return "".join(clauses), args


async def cohort_sums(
    conn: Connection,
    first_hour: int,
    end_hour: int,
    *,
    segment: str | None = None,
    channel: str | None = None,
    customer_class: str | None = None,
) -> list[dict[str, Any]]:
    """Summed counts per (segment, channel, customer class) of orders accepted in the hours."""
    where, args = _filters(segment, channel, customer_class, first=3)
    sums = ", ".join(f"SUM({name}) AS {name}" for name in domain.COUNTS)
    rows = await conn.fetch(
        f"SELECT segment, channel, customer_class, {sums} FROM kpi_cohort"
        f" WHERE hour >= $1 AND hour < $2{where} GROUP BY segment, channel, customer_class",
        first_hour,
        end_hour,
        *args,
    )
    return [_ints(row) for row in rows]


async def hourly(
    conn: Connection,
    first_hour: int,
    end_hour: int,
    *,
    segment: str | None = None,
    channel: str | None = None,
    customer_class: str | None = None,
) -> list[dict[str, Any]]:
    """Per hour: orders reaching each step, and the cycle time of orders accepted in it."""
    where, args = _filters(segment, channel, customer_class, first=3)
    steps = await conn.fetch(
        f"SELECT hour, {', '.join(f'SUM({s}) AS {s}' for s in domain.STEP_COLUMNS)} FROM kpi_step"
        f" WHERE hour >= $1 AND hour < $2{where} GROUP BY hour",
        first_hour,
        end_hour,
        *args,
    )
    cycles = await conn.fetch(
        "SELECT hour, SUM(orders) AS received, SUM(shipped) AS shipped_cohort,"
        " SUM(cycle_ms) AS cycle_ms,"
        " SUM(processing_ms) AS processing_ms, SUM(released) AS released_cohort FROM kpi_cohort"
        f" WHERE hour >= $1 AND hour < $2{where} GROUP BY hour",
        first_hour,
        end_hour,
        *args,
    )
    by_hour: dict[int, dict[str, Any]] = {}
    for row in _as_dicts(steps):
        by_hour.setdefault(row["hour"], {}).update(row)
    for row in _as_dicts(cycles):
        by_hour.setdefault(row["hour"], {}).update(row)
    return [by_hour[hour] for hour in sorted(by_hour)]


async def all_time_totals(conn: Connection) -> dict[tuple[str, str], int]:
    """The few dozen rows behind the flow metrics (hold kinds x 2, hand-offs x buckets)."""
    rows = await conn.fetch("SELECT metric, label, value FROM kpi_total")
    return {(row["metric"], row["label"]): int(row["value"]) for row in rows}


async def status_counts(conn: Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, orders FROM kpi_status WHERE orders <> 0")
    return {row["status"]: int(row["orders"]) for row in rows}


def _ints(row: Mapping[str, Any]) -> dict[str, Any]:
    plain = dict(zip(row.keys(), tuple(row), strict=True))  # sqlite3.Row or asyncpg Record
    return {name: int(v or 0) if name in domain.COUNTS else v for name, v in plain.items()}


def _as_dicts(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {name: int(value or 0) for name, value in zip(row.keys(), tuple(row), strict=True)}
        for row in rows
    ]

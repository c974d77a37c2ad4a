"""KPI read model: per-order flow facts and hourly sums, updated by the event in hand.

`kpi_order` keeps each order's `FlowFacts`; `kpi_cohort` sums the orders' contributions by the
hour they were accepted (and segment, channel, customer class); `kpi_step` counts orders by the
hour they reached each step after intake (throughput; "received" is the cohort's count);
`kpi_total` keeps the all-time totals behind the metrics; `kpi_status` counts orders by funnel
status. An event changes one order's facts, so it adds the difference it made to one cohort row,
a few step and total rows and two status rows: the work per event never grows with history, and
a window's figures are a sum over its hours' rows, never over its orders. The writes are held
back (`WriteBehind`): the increments of a whole batch sum to one upsert per counter row.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text

from services.order.domain import Order
from services.order.domain import kpis as domain
from services.order.domain.flow_marks import FlowMarks
from services.order.events import OrderPlaced
from shared import rows
from shared.aggregate import Aggregate
from shared.db import Connection, WriteBehind, placeholders
from shared.envelope import Envelope
from shared.messages import DomainEvent
from shared.unit_of_work import Prefetching

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


@dataclass(frozen=True, slots=True)
class KpiOrderRow(rows.Row):
    """An order's flow facts, under the cohort key it was accepted with."""

    table = "kpi_order"
    primary_key = ("order_id",)

    order_id: str
    hour: int
    segment: str
    channel: str
    customer_class: str
    status: str
    facts: str  # FlowFacts as JSON


# What a later event changes of an order's row (its cohort key stays).
_FACTS = ("status", "facts")


def hour_of(at: datetime) -> int:
    return int(at.timestamp() // 3600)


def start_of(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * 3600, UTC)


# The events folded into an order's facts: the order's own and its flow marks (both streams
# are keyed by the order id).
_FOLDED = frozenset(Order.event_classes) | frozenset(FlowMarks.event_classes)
_FOLDED_TYPES = frozenset(_FOLDED) - {"OrderPlaced"}


async def load_facts(conn: WriteBehind, envelopes: Sequence[Envelope]) -> None:
    """The facts of every order a batch's events fold into, in one query."""
    wanted = {
        envelope.aggregate_id
        for envelope in envelopes
        if envelope.event_type in _FOLDED_TYPES
        and not conn.recall(("kpi_order", envelope.aggregate_id))[0]
    }
    if not wanted:
        return
    ids = sorted(wanted)
    # Raw: rows held back from earlier flushes are remembered already (see `_facts`).
    records = await conn.raw.fetch(
        f"SELECT order_id, facts FROM kpi_order WHERE order_id IN ({placeholders(len(ids))})"
        f" ORDER BY order_id{_for_update(conn)}",
        *ids,
    )
    found = {row["order_id"]: domain.FlowFacts.model_validate_json(row["facts"]) for row in records}
    for order_id in ids:
        conn.remember(("kpi_order", order_id), found.get(order_id))


async def project(
    conn: WriteBehind, event: DomainEvent, envelope: Envelope, _: Aggregate | None
) -> None:
    """Fold one order event or flow mark into the order's facts and the sums they feed."""
    if event.event_type() not in _FOLDED:
        return
    order_id = envelope.aggregate_id
    if isinstance(event, OrderPlaced):
        before = None
        after = domain.start(event, envelope.occurred_at)
    else:
        before = await _facts(conn, order_id)
        if before is None:
            return  # nothing to fold onto (an order stream that never had its OrderPlaced)
        after = domain.apply(before, event, envelope.occurred_at)
        if after == before:
            return
    _save(conn, order_id, before, after)


projection = Prefetching(project, load_facts)


async def _facts(conn: WriteBehind, order_id: str) -> domain.FlowFacts | None:
    known, facts = conn.recall(("kpi_order", order_id))
    if known:
        return facts  # type: ignore[no-any-return]
    # Not loaded with its batch (a caller without `load_facts`). Only this projection writes
    # kpi_order and the order's row is not held back, so the table has its state: the read
    # need not write out the batch's other held rows first.
    row = await conn.raw.fetchrow(
        f"SELECT facts FROM kpi_order WHERE order_id = $1{_for_update(conn)}", order_id
    )
    return None if row is None else domain.FlowFacts.model_validate_json(row["facts"])


def _for_update(conn: WriteBehind) -> str:
    """An order's own events and its flow marks are two streams, recorded by transactions that
    may run at once: each must fold onto the facts the other committed, never onto a stale read
    (a lost update would leave the KPIs unlike a rebuild's). So the read locks the order's row
    until commit (in order-id order, so two batches never wait on each other in a cycle). On
    SQLite every transaction already excludes every other writer."""
    return " FOR UPDATE" if conn.dialect == "postgresql" else ""


def _save(
    conn: WriteBehind, order_id: str, before: domain.FlowFacts | None, after: domain.FlowFacts
) -> None:
    """Hold back the order's row and add the difference to the counters: a batch writes each
    row once, however many of its events touched it."""
    hour = hour_of(after.accepted_at)
    key = (hour, after.segment, after.channel, after.customer_class)
    conn.remember(("kpi_order", order_id), after)
    row = KpiOrderRow(order_id, *key, status=after.status, facts=after.model_dump_json())
    conn.defer(("kpi_order", order_id), *rows.insert(row, on_conflict="update", only=_FACTS))
    old = domain.contributions(before) if before else {}
    _add(
        conn, "kpi_cohort", key, domain.COUNTS, domain.difference(old, domain.contributions(after))
    )
    old_steps = before.step_times() if before else {}
    for step, at in after.step_times().items():
        if step not in old_steps:
            _add(conn, "kpi_step", (hour_of(at), *key[1:]), domain.STEP_COLUMNS, {step: 1})
    old_totals = domain.totals(before) if before else {}
    for metric_label, amount in _changed(old_totals, domain.totals(after)).items():
        conn.add(("kpi_total", *metric_label), _TOTAL_ADD, metric_label, (amount,))
    if before is None or before.status != after.status:
        conn.add(("kpi_status", after.status), _STATUS_ADD, (after.status,), (1,))
        if before is not None:
            conn.add(("kpi_status", before.status), _STATUS_ADD, (before.status,), (-1,))


_TOTAL_ADD = (
    "INSERT INTO kpi_total (metric, label, value) VALUES ($1, $2, $3) ON CONFLICT (metric, label)"
    " DO UPDATE SET value = kpi_total.value + excluded.value"
)
_STATUS_ADD = (
    "INSERT INTO kpi_status (status, orders) VALUES ($1, $2)"
    " ON CONFLICT (status) DO UPDATE SET orders = kpi_status.orders + excluded.orders"
)


def _changed(
    before: Mapping[tuple[str, str], int], after: Mapping[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    keys = before.keys() | after.keys()
    changed = {key: after.get(key, 0) - before.get(key, 0) for key in sorted(keys)}
    return {key: value for key, value in changed.items() if value}


def _add(
    conn: WriteBehind,
    table: str,
    key: Sequence[object],
    columns: Sequence[str],
    amounts: Mapping[str, int],
) -> None:
    """Add `amounts` to the row of `key`, creating it; every column in one fixed statement, so
    the batch's additions to a row sum up to one upsert."""
    if not amounts:
        return
    conn.add(
        (table, *key),
        _counter_upsert(table, tuple(columns)),
        key,
        [amounts.get(name, 0) for name in columns],
    )


@cache
def _counter_upsert(table: str, columns: tuple[str, ...]) -> str:
    sums = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in columns)
    return (
        f"INSERT INTO {table} ({', '.join((*_KEY, *columns))})"
        f" VALUES ({placeholders(len(_KEY) + len(columns))})"
        f" ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {sums}"
    )


# Queries: each reads the rows of the window's hours (or the few status rows), never orders.


@dataclass(frozen=True)
class HourCounts:
    """One hour: orders reaching each step in it (STEP_COLUMNS), and of the orders accepted in
    it how many were received, released and shipped, and their summed times."""

    hour: int
    counts: Mapping[str, int]


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
) -> list[domain.CohortSums]:
    """Summed counts per (segment, channel, customer class) of orders accepted in the hours."""
    where, args = _filters(segment, channel, customer_class, first=3)
    sums = ", ".join(f"SUM({name}) AS {name}" for name in domain.COUNTS)
    records = await conn.fetch(
        f"SELECT segment, channel, customer_class, {sums} FROM kpi_cohort"
        f" WHERE hour >= $1 AND hour < $2{where} GROUP BY segment, channel, customer_class",
        first_hour,
        end_hour,
        *args,
    )
    return [
        domain.CohortSums(
            row["segment"],
            row["channel"],
            row["customer_class"],
            {name: int(row[name] or 0) for name in domain.COUNTS},
        )
        for row in records
    ]


async def hourly(
    conn: Connection,
    first_hour: int,
    end_hour: int,
    *,
    segment: str | None = None,
    channel: str | None = None,
    customer_class: str | None = None,
) -> list[HourCounts]:
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
    by_hour: dict[int, dict[str, int]] = {}
    for row in (*steps, *cycles):
        counts = by_hour.setdefault(int(row["hour"]), {})
        plain = zip(row.keys(), tuple(row), strict=True)  # sqlite3.Row or asyncpg Record
        counts.update({name: int(value or 0) for name, value in plain if name != "hour"})
    return [HourCounts(hour, counts) for hour, counts in sorted(by_hour.items())]


async def all_time_totals(conn: Connection) -> dict[tuple[str, str], int]:
    """The few dozen rows behind the flow metrics (hold kinds x 2, hand-offs x buckets)."""
    records = await conn.fetch("SELECT metric, label, value FROM kpi_total")
    return {(row["metric"], row["label"]): int(row["value"]) for row in records}


async def status_counts(conn: Connection) -> dict[str, int]:
    records = await conn.fetch("SELECT status, orders FROM kpi_status WHERE orders <> 0")
    return {row["status"]: int(row["orders"]) for row in records}

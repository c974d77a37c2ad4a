"""KPI query benchmark: GET /v1/kpis?segment=AA&from=...&to=... with 100,000 orders stored.

Run: python -m bench.kpis [--orders N] [--requests N]
  PostgreSQL needs POSTGRES_DSN exported (make bench does it); SQLite runs in a temporary folder.

The order service's KPI read model is filled with N orders spread over 30 days, four channels
and the nine segments, each folded by the same pure functions the projection uses (`FlowFacts`
-> contributions -> hourly sums), written in bulk rather than event by event so the setup takes
seconds. Then the real route answers --requests GETs of a 24-hour window for one segment,
in process (httpx's ASGI transport, no network), and the latency percentiles are reported.
Writes bench-results/kpis.json. Exit code 0 whenever it ran.
"""

import argparse
import asyncio
import os
import random
import statistics
import tempfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any
from uuid import uuid4

import httpx
from rich.console import Console

from bench.report import write
from services.order.api import ROUTERS
from services.order.domain import kpis as domain
from services.order.events import OrderLine, OrderPlaced, ShipTo
from services.order.service import DEFINITION
from services.order.views import kpis as views
from shared.auth import Principal, Role
from shared.bus.memory import MemoryBroker
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.testing.apps import app_for_tests

END = datetime(2026, 6, 1, tzinfo=UTC)
DAYS = 30
CHANNELS = ("web", "phone", "edi", "marketplace")
SHIP_TO = ShipTo(name="A", line1="1 Road", city="Town", postal_code="1", country="SE")
RESULTS = Path("bench-results/kpis.json")


def _facts(rng: random.Random, at: datetime) -> domain.FlowFacts:
    segment = rng.choice([c + i for c in "ABC" for i in "ABC"])
    placed = OrderPlaced(
        order_id=uuid4(),
        customer_id="c",
        channel=rng.choice(CHANNELS),
        external_id=None,
        lines=(OrderLine(sku="S", quantity=rng.randint(1, 5), unit_price_cents=100),),
        total_cents=100,
        ship_to=SHIP_TO,
        segment=segment,
        priority=1,
        deadline=at + timedelta(hours=4),
        backorder_rule="ship_partial",
        received_at=at - timedelta(seconds=rng.randint(0, 30)),
    )
    facts = domain.start(placed, at)
    released = at + timedelta(minutes=rng.randint(1, 300))
    facts.first_released_at, facts.first_release_complete = released, rng.random() < 0.9
    facts.hand_offs["released"] = released
    if rng.random() < 0.85:
        facts.shipped = dict(facts.ordered)
        facts.shipped_complete_at = released + timedelta(hours=rng.randint(1, 30))
        facts.invoices = facts.invoices_accurate = 1
    return facts


async def _fill(runtime: ServiceRuntime, orders: int) -> None:
    rng = random.Random(100)
    start = END - timedelta(days=DAYS)
    cohorts: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
    steps: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
    statuses: dict[str, int] = defaultdict(int)
    rows = []
    for _ in range(orders):
        at = start + timedelta(seconds=rng.uniform(0, DAYS * 86400))
        facts = _facts(rng, at)
        key = (views.hour_of(at), facts.segment, facts.channel, facts.customer_class)
        domain.add(cohorts[key], domain.contributions(facts))
        for step, reached in facts.step_times().items():
            domain.add(steps[(views.hour_of(reached), *key[1:])], {step: 1})
        statuses[facts.status] += 1
        rows.append((str(uuid4()), *key, facts.status, facts.model_dump_json()))
    async with runtime.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO kpi_order (order_id, hour, segment, channel, customer_class, status,"
            " facts) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            rows,
        )
        for table, sums, names in (
            ("kpi_cohort", cohorts, domain.COUNTS),
            ("kpi_step", steps, domain.STEP_COLUMNS),
        ):
            columns = ", ".join(("hour", "segment", "channel", "customer_class", *names))
            marks = ", ".join(f"${i + 1}" for i in range(4 + len(names)))
            await conn.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                [(*key, *(values.get(n, 0) for n in names)) for key, values in sums.items()],
            )
        await conn.executemany(
            "INSERT INTO kpi_status (status, orders) VALUES ($1, $2)", list(statuses.items())
        )


async def _measure(runtime: ServiceRuntime, requests: int) -> dict[str, Any]:
    keys = {"k": Principal("staff", Role.STAFF)}
    app = app_for_tests("order", ROUTERS, keys, runtimes={"order": runtime})
    params = {
        "segment": "AA",
        "from": (END - timedelta(days=1)).isoformat(),
        "to": END.isoformat(),
    }
    timings = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://order") as client:
        for _ in range(requests + 10):
            began = perf_counter()
            answer = await client.get(
                "/v1/kpis", params=params, headers={"Authorization": "Bearer k"}
            )
            timings.append((perf_counter() - began) * 1000)
            assert answer.status_code == 200, answer.text
    timings = sorted(timings[10:])  # the first few warm caches and compile statements
    return {
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "max_ms": round(timings[-1], 2),
        "orders_in_window": answer.json()["segments"]["AA"]["orders"],
    }


async def _run(target: str, orders: int, requests: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="kpi-bench-"))
    if target == "postgresql":
        settings = ServiceSettings(
            database_url=os.environ["POSTGRES_DSN"], namespace=f"kb{uuid4().hex[:6]}"
        )
    else:
        settings = ServiceSettings(data_dir=folder, database_url="")
    runtime = ServiceRuntime(DEFINITION, settings, MemoryBroker(), clock=FrozenClock(END))
    await runtime.open()
    try:
        began = perf_counter()
        await _fill(runtime, orders)
        filled = perf_counter() - began
        async with runtime.db.transaction() as conn:
            stored = int(await conn.fetchval("SELECT COUNT(*) FROM kpi_order"))
        return {"target": target, "orders_stored": stored, "fill_seconds": round(filled, 1)} | (
            await _measure(runtime, requests)
        )
    finally:
        if target == "postgresql":
            async with runtime.db.transaction() as conn:
                await conn.execute(f'DROP SCHEMA "{settings.schema_for("order")}" CASCADE')
        await runtime.db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    console = Console()
    targets = ["sqlite"] + (["postgresql"] if os.environ.get("POSTGRES_DSN") else [])
    results = [asyncio.run(_run(t, args.orders, args.requests)) for t in targets]
    for result in results:
        console.print(
            f"GET /v1/kpis?segment=AA (24 h) on {result['target']}: "
            f"{result['orders_stored']:,} orders stored, {result['orders_in_window']} in the "
            f"window; p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
            f"max {result['max_ms']} ms over {result['requests']} requests (goal: < 50 ms)"
        )
    write(RESULTS, {"measured_at": datetime.now(UTC).isoformat(), "results": results})


if __name__ == "__main__":
    main()

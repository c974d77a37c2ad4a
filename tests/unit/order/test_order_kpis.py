"""KPIs of a generated scenario, counted by hand here and compared exactly with GET /v1/kpis.

Hundreds of orders on two channels go through the real order service (its handlers and
reactions) with credit reviews and declines, backorders and stockouts, cancels, late releases,
split and short shipments, a wrong invoice now and then, returns and payments. The test keeps
its own tally of what it did to each order; the API's figures must equal it. The same scenario
runs on SQLite and on PostgreSQL, and a rebuild from the event store gives the same rows.
"""

import random
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from order_builders import NOW
from order_harness import a_place_command, auth, define, http_client, place
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from services import cli
from services.order import metrics
from services.order.commands import CancelOrder, RecordReturn, RequestedLine
from services.order.service import DEFINITION
from shared.clock import FrozenClock
from shared.replay import read_model_hash, rebuild_read_models
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.testing.builders import an_envelope
from shared.testing.harness import ServiceHarness

ORDERS = 240
PRICES = {"CLOCK": 1_000, "LAMP": 500}
# Customers and items are all class C at first: segment CC, 1 day to release, wait_complete.
RESPONSE = timedelta(minutes=1440)


@dataclass
class Tally:
    """What the scenario did, summed by hand per group ("all" and each channel)."""

    sums: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, channel: str, name: str, amount: int = 1) -> None:
        for group in ("all", channel):
            self.sums[group][name] = self.sums[group].get(name, 0) + amount

    def get(self, group: str, name: str) -> int:
        return self.sums[group].get(name, 0)


async def _deliver(runtime: ServiceRuntime, event_type: str, data: dict[str, Any]) -> None:
    """Another service's event, at this moment of the scenario's clock, through the consumer."""
    envelope = an_envelope(event_type=event_type, data=data, occurred_at=runtime.clock.now())
    await ServiceHarness(runtime).consume(envelope)


def _ms(delta: timedelta) -> int:
    return round(delta.total_seconds() * 1000)


async def _one_order(runtime: ServiceRuntime, rng: random.Random, tally: Tally) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    channel = rng.choice(["shop", "phone"])
    lines = {sku: rng.randint(1, 2) for sku in rng.sample(sorted(PRICES), rng.randint(1, 2))}
    order_id = await place(runtime, a_place_command(lines=list(lines.items()), channel=channel))
    oid = str(order_id)
    accepted = clock.now()
    total = sum(q * PRICES[sku] for sku, q in lines.items())
    tally.add(channel, "orders")
    tally.add(channel, "lines_ordered", len(lines))

    clock.advance(timedelta(minutes=rng.choice([5, 30, 600, 1500])))  # 1500: a late release
    credit = rng.choices(["approve", "review", "decline"], [8, 1, 1])[0]
    if credit == "decline":
        await _deliver(runtime, "CreditDeclined", {"order_id": oid, "reason": "limit"})
        tally.add(channel, "rejected")
        return
    if credit == "review":
        await _deliver(
            runtime,
            "CreditReviewRequired",
            {
                "order_id": oid,
                "customer_id": "acme",
                "amount_cents": total,
                "reason": "manual",
                "exposure_cents": total,
            },
        )
        clock.advance(timedelta(minutes=30))
        tally.add(channel, "holds_credit_review")
        tally.add(channel, "hold_ms_credit_review", _ms(timedelta(minutes=30)))
    await _deliver(
        runtime,
        "CreditApproved",
        {"order_id": oid, "customer_id": "acme", "amount_cents": total, "exposure_cents": total},
    )
    missing: dict[str, int] = {}
    for sku, quantity in lines.items():
        stock = rng.choices(["full", "partial", "none"], [7, 2, 1])[0]
        reserved = {"full": quantity, "partial": quantity - 1, "none": 0}[stock]
        if reserved:
            await _deliver(
                runtime,
                "StockReserved",
                {"order_id": oid, "sku": sku, "quantity": reserved, "reserved_total": reserved},
            )
        if reserved < quantity:
            missing[sku] = quantity - reserved
            await _deliver(
                runtime,
                "StockBackordered",
                {"order_id": oid, "sku": sku, "quantity": quantity - reserved},
            )
            if reserved == 0:
                tally.add(channel, "stockout_lines")
    held_since = clock.now()
    if credit == "review" or missing:
        tally.add(channel, "exceptions")
    if missing:
        tally.add(channel, "backordered")
        tally.add(channel, "holds_backorder")

    if not missing:  # wait_complete: one release of the whole order, once all is reserved
        _released(tally, channel, clock.now() - accepted, first_time=True)
    if rng.random() < 0.08:
        clock.advance(timedelta(minutes=10))
        await runtime.send(CancelOrder(order_id=order_id, channel=None, reason="customer"))
        tally.add(channel, "cancelled")
        if missing:
            tally.add(channel, "hold_ms_backorder", _ms(clock.now() - held_since))
        return
    if missing:
        clock.advance(timedelta(minutes=60))
        for sku, quantity in missing.items():
            await _deliver(
                runtime,
                "StockReserved",
                {"order_id": oid, "sku": sku, "quantity": quantity, "reserved_total": lines[sku]},
            )
        tally.add(channel, "hold_ms_backorder", _ms(clock.now() - held_since))
        _released(tally, channel, clock.now() - accepted, first_time=False)
    await _ship(runtime, rng, tally, order_id, channel, lines, accepted)


def _released(tally: Tally, channel: str, after: timedelta, *, first_time: bool) -> None:
    tally.add(channel, "released")
    tally.add(channel, "processing_ms", _ms(after))
    tally.add(channel, "released_on_time", int(after <= RESPONSE))
    tally.add(channel, "first_time_filled", int(first_time))


async def _ship(
    runtime: ServiceRuntime,
    rng: random.Random,
    tally: Tally,
    order_id: UUID,
    channel: str,
    lines: dict[str, int],
    accepted: Any,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    oid = str(order_id)
    mode = rng.choices(["whole", "split", "short"], [6, 2, 1])[0]
    first_sku = sorted(lines)[0]
    if mode == "whole":
        shipments = [dict(lines)]
    elif mode == "split" and (len(lines) > 1 or lines[first_sku] > 1):
        first = {first_sku: 1}
        rest = {sku: q - first.get(sku, 0) for sku, q in lines.items()}
        shipments = [first, {sku: q for sku, q in rest.items() if q}]
    else:
        short = {**lines, first_sku: lines[first_sku] - 1}
        shipments = [{sku: q for sku, q in short.items() if q}]
    shipments = [s for s in shipments if s]
    shipped: dict[str, int] = {}
    invoices_right = 0
    shipment_ids: list[str] = []
    for units in shipments:
        clock.advance(timedelta(minutes=rng.choice([20, 90])))
        shipment = str(uuid4())
        shipment_ids.append(shipment)
        await _deliver(runtime, "PickRequested", {"order_id": oid, "shipment_id": shipment})
        if len(shipment_ids) == 1:
            tally.add(channel, "pick_requested")
            tally.add(channel, "pick_ms", _ms(clock.now() - accepted))
        clock.advance(timedelta(minutes=15))
        lines_json = [{"sku": sku, "quantity": q} for sku, q in sorted(units.items())]
        await _deliver(
            runtime,
            "ShipmentShipped",
            {"shipment_id": shipment, "order_id": oid, "release_no": 1, "lines": lines_json},
        )
        last_shipped_at = clock.now()
        for sku, q in units.items():
            shipped[sku] = shipped.get(sku, 0) + q
        right = rng.random() >= 0.05
        amount = sum(q * PRICES[sku] for sku, q in units.items()) + (0 if right else 1)
        invoice = str(uuid4())
        await _deliver(
            runtime,
            "InvoiceIssued",
            {"invoice_id": invoice, "order_id": oid, "lines": lines_json, "total_cents": amount},
        )
        tally.add(channel, "invoices")
        tally.add(channel, "invoices_accurate", int(right))
        invoices_right += int(right)
        await _deliver(
            runtime,
            "InvoicePaid",
            {"invoice_id": invoice, "order_id": oid, "total_cents": amount},
        )
    if not shipped:
        return
    complete = shipped == lines
    if rng.random() < 0.8:  # the carrier confirms every delivery of most orders
        for shipment in shipment_ids:
            clock.advance(timedelta(minutes=rng.choice([60, 300])))
            await _deliver(runtime, "ShipmentDelivered", {"order_id": oid, "shipment_id": shipment})
        if complete:
            tally.add(channel, "delivered")
            tally.add(channel, "delivery_ms", _ms(clock.now() - accepted))
    tally.add(channel, "fill_orders")
    tally.add(channel, "orders_accurate")
    tally.add(channel, "fill_orders_full", int(complete))
    tally.add(channel, "fill_units_ordered", sum(lines.values()))
    tally.add(channel, "fill_units_shipped", sum(shipped.values()))
    tally.add(channel, "fill_lines", len(lines))
    tally.add(channel, "fill_lines_full", sum(shipped.get(s, 0) >= q for s, q in lines.items()))
    if not complete:
        return
    shipped_at = last_shipped_at
    on_time = shipped_at - accepted <= RESPONSE
    tally.add(channel, "shipped")
    tally.add(channel, "completed")
    tally.add(channel, "cycle_ms", _ms(shipped_at - accepted))
    tally.add(channel, "shipped_on_time", int(on_time))
    returned = rng.random() < 0.06
    if returned:
        await runtime.send(
            RecordReturn(
                order_id=order_id,
                channel=None,
                lines=(RequestedLine(sku=first_sku, quantity=1),),
                reason="broken",
            )
        )
        tally.add(channel, "returned")
    complained = rng.random() < 0.06
    if complained:
        complaint = {"complaint_id": str(uuid4()), "order_id": oid}
        await _deliver(runtime, "ComplaintRecorded", complaint)
        await _deliver(runtime, "ComplaintRecorded", complaint)  # once is enough
        tally.add(channel, "complained")
    perfect = on_time and invoices_right == len(shipments) and not returned and not complained
    tally.add(channel, "perfect", int(perfect))


def _expected(tally: Tally, group: str) -> dict[str, Any]:
    def rate(numerator: str, denominator: str) -> float | None:
        d = tally.get(group, denominator)
        return tally.get(group, numerator) / d if d else None

    def mean(total: str, count: str) -> float | None:
        c = tally.get(group, count)
        return tally.get(group, total) / c / 1000 if c else None

    return {
        "orders": tally.get(group, "orders"),
        "released": tally.get(group, "released"),
        "shipped": tally.get(group, "shipped"),
        "completed": tally.get(group, "completed"),
        "delivered": tally.get(group, "delivered"),
        "entry_time_seconds": 0.0,  # the harness places orders the instant they arrive
        "processing_time_seconds": mean("processing_ms", "released"),
        "pick_request_time_seconds": mean("pick_ms", "pick_requested"),
        "cycle_time_seconds": mean("cycle_ms", "shipped"),
        "delivered_cycle_time_seconds": mean("delivery_ms", "delivered"),
        "released_on_time_rate": rate("released_on_time", "released"),
        "shipped_on_time_rate": rate("shipped_on_time", "shipped"),
        "unit_fill_rate": rate("fill_units_shipped", "fill_units_ordered"),
        "line_fill_rate": rate("fill_lines_full", "fill_lines"),
        "order_fill_rate": rate("fill_orders_full", "fill_orders"),
        "first_time_fill_rate": rate("first_time_filled", "released"),
        "invoice_accuracy": rate("invoices_accurate", "invoices"),
        "order_accuracy": rate("orders_accurate", "fill_orders"),
        "perfect_order_rate": rate("perfect", "shipped"),
        "cancellation_rate": rate("cancelled", "orders"),
        "rejection_rate": rate("rejected", "orders"),
        "backorder_rate": rate("backordered", "orders"),
        "stockout_rate": rate("stockout_lines", "lines_ordered"),
        "exception_rate": rate("exceptions", "orders"),
        "return_rate": rate("returned", "shipped"),
        "holds": {
            kind: {
                "count": tally.get(group, f"holds_{kind}"),
                "mean_seconds": mean(f"hold_ms_{kind}", f"holds_{kind}"),
            }
            for kind in ("pattern_check", "credit_review", "backorder", "andon")
        },
    }


async def _scenario_then_compare(runtime: ServiceRuntime) -> None:
    await define(runtime, items=tuple(PRICES.items()))
    rng = random.Random(8)
    tally = Tally()
    for _ in range(ORDERS):
        await _one_order(runtime, rng, tally)
        assert isinstance(runtime.clock, FrozenClock)
        runtime.clock.advance(timedelta(minutes=7))
    # Every kind of case the figures distinguish happened at least once.
    for name in (
        "rejected",
        "cancelled",
        "stockout_lines",
        "returned",
        "holds_credit_review",
        "pick_requested",
        "delivered",
        "complained",
    ):
        assert tally.get("all", name) > 0, name
    assert 0 < tally.get("all", "released_on_time") < tally.get("all", "released")
    assert 0 < tally.get("all", "fill_orders_full") < tally.get("all", "fill_orders")
    assert tally.get("all", "delivered") < tally.get("all", "shipped")
    assert tally.get("all", "invoices_accurate") < tally.get("all", "invoices")

    window = {"from": (NOW - timedelta(hours=1)).isoformat(), "to": runtime.clock.now().isoformat()}
    async with http_client(runtime) as client:
        answer = await client.get("/v1/kpis", params=window, headers=auth("staff"))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        only_phone = await client.get(
            "/v1/kpis", params={**window, "channel": "phone"}, headers=auth("staff")
        )
    assert {k: v for k, v in body["overall"].items() if k != "targets"} == _expected(tally, "all")
    for channel in ("shop", "phone"):
        figures = {k: v for k, v in body["channels"][channel].items() if k != "targets"}
        assert figures == _expected(tally, channel), channel
    segment = body["segments"]["CC"]
    assert {k: v for k, v in segment.items() if k != "targets"} == _expected(tally, "all")
    assert segment["targets"] == {
        "target_fill_rate": 0.9,
        "fill_rate_met": _expected(tally, "all")["unit_fill_rate"] >= 0.9,
        "target_response_minutes": 1440,
        "response_time_met": _expected(tally, "all")["processing_time_seconds"] <= 1440 * 60,
    }
    assert body["segments"]["AA"]["orders"] == 0
    assert body["customer_classes"]["C"]["orders"] == ORDERS
    assert sum(h["received"] for h in body["hours"]) == ORDERS
    assert sum(h["shipped"] for h in body["hours"]) == tally.get("all", "shipped")
    assert sum(body["statuses"].values()) == ORDERS
    assert body["statuses"]["rejected"] == tally.get("all", "rejected")
    phone = {k: v for k, v in only_phone.json()["overall"].items() if k != "targets"}
    assert phone == _expected(tally, "phone")

    await _metrics_match(runtime, tally)

    # The read model is what a rebuild from the event store makes of the same events.
    async with runtime.db.transaction() as conn:
        live = await read_model_hash(conn, DEFINITION.derived_tables())
    report = await rebuild_read_models(runtime.db, DEFINITION, check_only=True)
    assert report.hash_before == live
    assert report.identical


async def _metrics_match(runtime: ServiceRuntime, tally: Tally) -> None:
    """/metrics serves the same counts, read from the same read model."""
    metrics.register()
    async with runtime.db.transaction() as conn:
        await metrics.refresh(conn)
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(generate_latest(REGISTRY).decode())
        for sample in family.samples
    }

    def value(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("gapless_orders", status="rejected") == tally.get("all", "rejected")
    assert sum(v for (n, _), v in samples.items() if n == "gapless_orders") == ORDERS
    assert value("gapless_holds_opened_total", kind="credit_review") == tally.get(
        "all", "holds_credit_review"
    )
    assert value("gapless_holds_opened_total", kind="backorder") == tally.get(
        "all", "holds_backorder"
    )
    assert value("gapless_handoff_seconds_count", hand_off="released") == tally.get(
        "all", "released"
    )
    assert value("gapless_handoff_seconds_count", hand_off="shipped") == tally.get(
        "all", "fill_orders"
    )
    assert value("gapless_handoff_seconds_count", hand_off="credit_answered") == ORDERS
    assert value("gapless_handoff_seconds_count", hand_off="pick_requested") == tally.get(
        "all", "pick_requested"
    )
    assert value("gapless_handoff_seconds_count", hand_off="delivered") == tally.get(
        "all", "delivered"
    )
    assert value("gapless_handoff_seconds_sum", hand_off="released") == (
        tally.get("all", "processing_ms") / 1000
    )


@asynccontextmanager
async def _service(settings: ServiceSettings) -> AsyncIterator[ServiceRuntime]:
    clock = FrozenClock(NOW)
    folder = settings.data_dir
    async with ServiceHarness.running(
        DEFINITION, folder, clock=clock, settings=settings
    ) as service:
        yield service.runtime


async def test_kpis_of_a_generated_scenario_match_a_hand_count_on_sqlite(tmp_path: Path) -> None:
    async with _service(ServiceSettings(data_dir=tmp_path, database_url="")) as runtime:
        await _scenario_then_compare(runtime)


@pytest.mark.integration
async def test_kpis_of_a_generated_scenario_match_a_hand_count_on_postgres(
    postgres_dsn: str,
) -> None:
    namespace = f"k{uuid4().hex[:8]}"
    settings = ServiceSettings(database_url=postgres_dsn, namespace=namespace)
    try:
        async with _service(settings) as runtime:
            await _scenario_then_compare(runtime)
    finally:
        async with _service(settings) as runtime, runtime.db.transaction() as conn:
            await conn.execute(f'DROP SCHEMA "{settings.schema_for("order")}" CASCADE')


async def test_a_bad_window_is_a_problem_not_an_error(tmp_path: Path) -> None:
    async with (
        _service(ServiceSettings(data_dir=tmp_path, database_url="")) as runtime,
        http_client(runtime) as client,
    ):
        backwards = await client.get(
            "/v1/kpis",
            params={"from": NOW.isoformat(), "to": (NOW - timedelta(hours=1)).isoformat()},
            headers=auth("staff"),
        )
        naive = await client.get(
            "/v1/kpis", params={"to": "2025-03-01T10:00:00"}, headers=auth("staff")
        )
        bad_segment = await client.get("/v1/kpis", params={"segment": "ZZ"}, headers=auth("staff"))
        channel_key = await client.get("/v1/kpis", headers=auth("shop"))
    for answer in (backwards, naive, bad_segment):
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert channel_key.status_code == 403


def test_the_command_line_prints_the_kpis_per_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAPLESS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "220")
    result = CliRunner().invoke(cli.app, ["kpis", "--hours", "24"])
    assert result.exit_code == 0, result.output
    assert "CC" in result.output and "1440 min" in result.output and "90%" in result.output

"""Andon use cases on SQLite: pulls hold orders, resolves lift them, gaps, defects, rebuilds."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from andon_harness import (
    andon_client,
    andon_service,
    answer_all,
    auth,
    clock_of,
    define,
    deliver,
    holds,
    place,
    published,
)

from services.andon import metrics
from services.andon.commands import DetectGaps, Reconcile
from services.andon.domain import Timeouts
from shared.replay import rebuild_read_models
from shared.runtime import ServiceRuntime

TIMEOUTS = Timeouts(
    answer=timedelta(minutes=5), release_grace=timedelta(minutes=5), shipment=timedelta(minutes=30)
)


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[ServiceRuntime]:
    async with andon_service(tmp_path) as runtime:
        await define(runtime, skus=("RETRO-CLOCK", "TEAPOT", "A", "B"), customers=("acme",))
        yield runtime


@pytest.fixture
async def http(runtime: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with andon_client(runtime) as client:
        yield client


async def pull(http: httpx.AsyncClient, kind: str, target: str, **fields: str) -> httpx.Response:
    body = {
        "target": {"kind": kind, "id": target},
        "reason": fields.get("reason", "cracked glass"),
        "category": fields.get("category", "quality"),
        "pulled_by": fields.get("pulled_by", "mia"),
    }
    return await http.post("/v1/andon/pulls", json=body, headers=auth("staff-key"))


async def board(http: httpx.AsyncClient) -> list[dict[str, object]]:
    response = await http.get("/v1/andon/pulls?open=true", headers=auth("staff-key"))
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_a_sku_pull_holds_the_open_orders_holding_it_and_shows_them_on_the_board(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    clock = await place(runtime, lines={"RETRO-CLOCK": 1})
    other = await place(runtime, lines={"TEAPOT": 1})

    response = await pull(http, "sku", "RETRO-CLOCK")
    clock_of(runtime).advance(timedelta(seconds=90))

    assert response.status_code == 201, response.text
    [entry] = await board(http)
    assert entry["pull_id"] == response.json()["pull_id"]
    assert entry["affected_orders"] == [clock]
    assert entry["ticket"]["departments"] == ["quality"]  # type: ignore[index]
    assert entry["age_seconds"] == 90
    assert len(await holds(runtime, clock)) == 1 and await holds(runtime, other) == []


async def test_pulling_twice_on_one_target_is_one_open_pull_with_two_pullers(
    http: httpx.AsyncClient,
) -> None:
    first = await pull(http, "customer", "acme", category="credit")
    second = await pull(http, "customer", "acme", category="credit", pulled_by="ben")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["pull_id"] == second.json()["pull_id"]
    [entry] = await board(http)
    assert entry["pull_count"] == 2
    assert entry["departments"] == ["credit", "sales"]


async def test_resolving_needs_ops_and_a_root_cause_and_happens_once(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    order_id = await place(runtime)
    pull_id = (await pull(http, "order", order_id)).json()["pull_id"]
    url = f"/v1/andon/pulls/{pull_id}/resolve"

    by_staff = await http.post(url, json={"root_cause": "x"}, headers=auth("staff-key"))
    blank = await http.post(url, json={"root_cause": " ", "fix": "y"}, headers=auth("ops-key"))
    clock_of(runtime).advance(timedelta(minutes=3))
    resolved = await http.post(
        url, json={"root_cause": "typo", "fix": "fixed"}, headers=auth("ops-key")
    )
    again = await http.post(url, json={"root_cause": "typo"}, headers=auth("ops-key"))

    assert by_staff.status_code == 403
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "root_cause"
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["ticket"]["seconds_to_resolve"] == 180
    assert again.status_code == 409
    assert await holds(runtime, order_id) == []
    [event] = await published(runtime, "AndonResolved")
    assert event["root_cause"] == "typo" and event["resolved_by"] == "otto"


async def test_stats_give_counts_and_mean_time_to_resolve_per_category(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    for minutes, sku in ((2, "A"), (4, "B")):
        pull_id = (await pull(http, "sku", sku)).json()["pull_id"]
        clock_of(runtime).advance(timedelta(minutes=minutes))
        await http.post(
            f"/v1/andon/pulls/{pull_id}/resolve", json={"root_cause": "r"}, headers=auth("ops-key")
        )
    await pull(http, "step", "picking", category="process")

    stats = (await http.get("/v1/andon/stats", headers=auth("staff-key"))).json()

    assert (stats["pull_count"], stats["open_count"]) == (3, 1)
    assert stats["mean_seconds_to_resolve"] == 180
    assert stats["categories"]["process"]["mean_seconds_to_resolve"] is None


async def test_an_order_placed_for_a_stopped_customer_is_held_from_the_start(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    await pull(http, "customer", "acme", category="credit")

    order_id = await place(runtime, customer="acme")

    assert len(await holds(runtime, order_id)) == 1


async def test_a_burst_of_dead_letters_from_one_group_is_one_pull_with_a_count(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    for offset in range(3):
        await deliver(
            runtime,
            "MessageDeadLettered",
            {
                "group": "inventory",
                "reason": f"malformed envelope #{offset}",
                "error": "MalformedEnvelopeError",
                "origin_topic": "order.events",
                "origin_partition": 0,
                "origin_offset": offset,
                "payload_excerpt": f"poison-{offset}",
            },
        )

    [entry] = await board(http)
    assert (entry["target_kind"], entry["target_id"], entry["automatic"]) == (
        "step",
        "inventory",
        True,
    )
    assert entry["pull_count"] == 3
    assert entry["details"]["payload_excerpt"] == "poison-2"  # type: ignore[index]


async def test_an_overdue_release_is_a_gap_with_an_andon_and_closes_when_it_arrives(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    order_id = await place(runtime, deadline_minutes=60)
    await answer_all(runtime, order_id, {"RETRO-CLOCK": 1})
    clock_of(runtime).advance(timedelta(minutes=61))

    await run_watchdog(runtime)
    await run_watchdog(runtime)
    gaps = (await http.get("/v1/gaps", headers=auth("staff-key"))).json()

    [gap] = gaps
    assert (gap["order_id"], gap["step"], gap["overdue_seconds"]) == (order_id, "release", 60)
    [entry] = await board(http)
    assert entry["pull_id"] == gap["pull_id"] and entry["target_id"] == order_id
    assert len(await published(runtime, "GapDetected")) == 1
    stats = (await http.get("/v1/andon/stats", headers=auth("staff-key"))).json()
    assert (stats["open_gaps"], stats["gaps_detected"], stats["orders_watched"]) == (1, 1, 1)
    assert stats["gaps_per_1000_orders"] == 1000
    async with runtime.db.transaction() as conn:
        await metrics.refresh(conn)
    [gauge] = [f for f in metrics.COLLECTOR.collect() if f.name == "gapless_open_gaps"]
    assert [(s.labels, s.value) for s in gauge.samples] == [({"step": "release"}, 1.0)]

    await deliver(runtime, "OrderReleased", {"order_id": order_id, "release_no": 1})

    assert (await http.get("/v1/gaps", headers=auth("staff-key"))).json() == []
    stats = (await http.get("/v1/andon/stats", headers=auth("staff-key"))).json()
    assert (stats["open_gaps"], stats["gaps_detected"]) == (0, 1)
    assert [g["step"] for g in await published(runtime, "GapClosed")] == ["release"]


async def run_watchdog(runtime: ServiceRuntime) -> None:
    await runtime.send(DetectGaps(timeouts=TIMEOUTS))


async def gaps_after(
    runtime: ServiceRuntime, http: httpx.AsyncClient, *, minutes: int
) -> list[dict[str, Any]]:
    """The open gaps once `minutes` more have passed and the watchdog has run."""
    clock_of(runtime).advance(timedelta(minutes=minutes))
    await run_watchdog(runtime)
    return list((await http.get("/v1/gaps", headers=auth("staff-key"))).json())


async def test_a_bumped_order_waits_for_stock_again_and_is_not_late_to_release(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    order_id = await place(runtime, deadline_minutes=60)
    await answer_all(runtime, order_id, {"RETRO-CLOCK": 1})

    await deliver(
        runtime,
        "StockBumped",
        {
            "order_id": order_id,
            "sku": "RETRO-CLOCK",
            "quantity": 1,
            "by_order_id": str(uuid4()),
            "reserved_total": 0,
            "backordered_total": 1,
        },
    )

    assert await gaps_after(runtime, http, minutes=61) == []


async def test_a_moved_deadline_moves_the_running_release_clock_and_is_no_false_gap(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    order_id = await place(runtime, deadline_minutes=60)
    await answer_all(runtime, order_id, {"RETRO-CLOCK": 1})
    now = runtime.clock.now()
    await deliver(
        runtime,
        "OrderDeadlineChanged",
        {
            "order_id": order_id,
            "deadline": (now + timedelta(minutes=120)).isoformat(),
            "previous_deadline": (now + timedelta(minutes=60)).isoformat(),
            "reason": "the changed order is in segment CC (was AA)",
        },
    )

    assert await gaps_after(runtime, http, minutes=61) == []

    [gap] = await gaps_after(runtime, http, minutes=60)
    assert (gap["order_id"], gap["step"], gap["overdue_seconds"]) == (order_id, "release", 60)


async def test_a_change_carrying_a_later_deadline_times_the_release_by_it(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    order_id = await place(runtime, lines={"RETRO-CLOCK": 1, "TEAPOT": 1}, deadline_minutes=60)
    await answer_all(runtime, order_id, {"RETRO-CLOCK": 1, "TEAPOT": 1})
    await deliver(
        runtime,
        "OrderChanged",
        {
            "order_id": order_id,
            "lines": [{"sku": "RETRO-CLOCK", "quantity": 1, "unit_price_cents": 100}],
            "changes": [{"sku": "TEAPOT", "quantity_delta": -1}],
            "total_cents": 100,
            "deadline": (runtime.clock.now() + timedelta(minutes=180)).isoformat(),
            "backorder_rule": "ship_partial",
        },
    )
    await deliver(runtime, "CreditApproved", {"order_id": order_id, "amount_cents": 100})

    assert await gaps_after(runtime, http, minutes=179) == []

    [gap] = await gaps_after(runtime, http, minutes=2)
    assert (gap["step"], gap["overdue_seconds"]) == ("release", 60)


async def test_reconciliation_names_exactly_the_order_and_step_whose_hand_off_was_lost(
    runtime: ServiceRuntime,
) -> None:
    complete, lost = await place(runtime), await place(runtime)
    await answer_all(runtime, complete, {"RETRO-CLOCK": 1})
    await deliver(runtime, "OrderReleased", {"order_id": complete, "release_no": 1})
    await deliver(runtime, "ShipmentShipped", {"order_id": complete, "release_no": 1})
    await deliver(runtime, "OrderCompleted", {"order_id": complete})
    # The StockReserved for `lost` never reaches anyone.
    await deliver(runtime, "CreditApproved", {"order_id": lost})
    clock_of(runtime).advance(timedelta(minutes=6))

    report = await runtime.send(Reconcile(run_id=UUID(int=1), timeouts=TIMEOUTS))

    assert report.checked == 2
    assert [(str(h.order_id), h.step, h.service) for h in report.lost] == [
        (lost, "stock_check", "inventory")
    ]
    [event] = await published(runtime, "ReconciliationCompleted")
    assert event["lost_count"] == 1


async def test_a_release_whose_shipment_was_cancelled_for_want_of_stock_is_awaited_no_more(
    runtime: ServiceRuntime,
) -> None:
    cancelled, waiting = await place(runtime), await place(runtime)
    for order in (cancelled, waiting):
        await answer_all(runtime, order, {"RETRO-CLOCK": 1})
        await deliver(runtime, "OrderReleased", {"order_id": order, "release_no": 1})
    # Nothing of its release was picked (a short pick of every unit): the shipment is cancelled.
    await deliver(
        runtime, "ShipmentCancelled", {"order_id": cancelled, "release_no": 1, "reason": "short"}
    )
    clock_of(runtime).advance(timedelta(hours=2))

    report = await runtime.send(Reconcile(run_id=UUID(int=2), timeouts=TIMEOUTS))

    assert [(str(h.order_id), h.step) for h in report.lost] == [(waiting, "shipment")]


async def test_repeated_returns_and_complaints_stop_the_sku_automatically(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    await deliver(
        runtime, "PolicyChanged", {"version": 2, "defects": {"count": 2, "window_minutes": 60}}
    )
    order_id = await place(runtime, lines={"LAVA-LAMP": 1})
    await deliver(
        runtime,
        "ReturnRecorded",
        {"order_id": order_id, "lines": [{"sku": "LAVA-LAMP", "quantity": 1}], "reason": "leaks"},
    )

    complaint = await http.post(
        "/v1/complaints",
        json={"order_id": order_id, "sku": "LAVA-LAMP", "reason": "leaks too"},
        headers=auth("staff-key"),
    )

    assert complaint.status_code == 201, complaint.text
    [entry] = await board(http)
    assert (entry["target_kind"], entry["target_id"], entry["category"]) == (
        "sku",
        "LAVA-LAMP",
        "quality",
    )
    assert entry["pulled_by"] == "defect-watch" and entry["affected_orders"] == [order_id]
    assert len(await published(runtime, "ComplaintRecorded")) == 1


async def test_the_read_models_rebuild_identically_from_the_event_store(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    order_id = await place(runtime)
    await answer_all(runtime, order_id, {"RETRO-CLOCK": 1})
    pull_id = (await pull(http, "sku", "RETRO-CLOCK")).json()["pull_id"]
    await pull(http, "sku", "RETRO-CLOCK", pulled_by="ben")
    clock_of(runtime).advance(timedelta(hours=2))
    await run_watchdog(runtime)
    await http.post(
        f"/v1/andon/pulls/{pull_id}/resolve", json={"root_cause": "r"}, headers=auth("ops-key")
    )

    report = await rebuild_read_models(runtime.db, runtime.definition, check_only=True)

    assert report.events > 0 and report.identical


async def test_metrics_count_pulls_and_time_to_resolve_from_the_board(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    pull_id = (await pull(http, "sku", "TEAPOT")).json()["pull_id"]
    clock_of(runtime).advance(timedelta(minutes=2))
    await http.post(
        f"/v1/andon/pulls/{pull_id}/resolve", json={"root_cause": "r"}, headers=auth("ops-key")
    )

    async with runtime.db.transaction() as conn:
        snapshot = await metrics.refresh(conn)
    families = {family.name: family for family in metrics.COLLECTOR.collect()}

    assert snapshot.pulls == {("quality", False): 1}
    assert snapshot.resolve_seconds == {"quality": [120.0]}
    assert {
        s.name: s.value
        for s in families["gapless_andon_seconds_to_resolve"].samples
        if s.name.endswith(("_sum", "_count"))
    } == {
        "gapless_andon_seconds_to_resolve_sum": 120.0,
        "gapless_andon_seconds_to_resolve_count": 1.0,
    }


async def test_pulls_and_complaints_on_what_andon_does_not_know_are_refused_with_404(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    order_id = await place(runtime, lines={"TEAPOT": 1})
    complain = "/v1/complaints"

    unknown = [
        await pull(http, "sku", "NEVER-DEFINED"),
        await pull(http, "customer", "nobody"),
        await pull(http, "order", str(uuid4())),
        await pull(http, "order", "not-an-order-id"),
        await http.post(
            complain,
            json={"order_id": str(uuid4()), "sku": "TEAPOT", "reason": "chipped"},
            headers=auth("staff-key"),
        ),
    ]
    wrong_sku = await http.post(
        complain,
        json={"order_id": order_id, "sku": "RETRO-CLOCK", "reason": "chipped"},
        headers=auth("staff-key"),
    )
    # An order from before andon read master data: its SKU and customer count as known.
    legacy = {"order_id": str(uuid4()), "customer_id": "old-customer", "segment": "AA"}
    legacy["lines"] = [{"sku": "OLD-SKU", "quantity": 1, "unit_price_cents": 100}]
    await deliver(runtime, "OrderPlaced", legacy)
    known = [
        await pull(http, "sku", "OLD-SKU"),
        await pull(http, "customer", "old-customer"),
        await pull(http, "step", "packing-line-3"),  # ops name any part of the process
        await pull(http, "order", order_id),
        await http.post(
            complain,
            json={"order_id": order_id, "sku": "TEAPOT", "reason": "chipped"},
            headers=auth("staff-key"),
        ),
    ]

    for response in unknown:
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert wrong_sku.status_code == 422, wrong_sku.text
    assert wrong_sku.json()["errors"][0]["field"] == "sku"
    assert [r.status_code for r in known] == [201] * 5, [r.text for r in known]
    assert len(await board(http)) == 4  # the refused pulls left nothing behind


async def test_a_credit_review_past_the_policy_deadline_is_a_gap_pulled_to_credit(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    deadlines = {
        "credit_review_minutes": 30,
        "backorder_minutes": 600,
        "andon_hold_minutes": 600,
        "invoice_minutes": 600,
        "delivery_minutes": 600,
        "payment_term_days": 30,
    }
    await deliver(runtime, "PolicyChanged", {"version": 2, "deadlines": deadlines})
    order_id = await place(runtime, deadline_minutes=24 * 60)
    await deliver(runtime, "CreditReviewRequired", {"order_id": order_id})
    await deliver(
        runtime,
        "StockReserved",
        {"order_id": order_id, "sku": "RETRO-CLOCK", "quantity": 1, "reserved_total": 1},
    )
    clock_of(runtime).advance(timedelta(minutes=29))
    await run_watchdog(runtime)
    assert await board(http) == []

    clock_of(runtime).advance(timedelta(minutes=1))
    await run_watchdog(runtime)

    [gap] = (await http.get("/v1/gaps", headers=auth("staff-key"))).json()
    assert (gap["order_id"], gap["step"]) == (order_id, "credit_review")
    [entry] = await board(http)
    assert entry["pull_id"] == gap["pull_id"]
    assert (entry["category"], entry["pulled_by"]) == ("credit", "gap-watchdog")
    assert entry["ticket"]["departments"] == ["credit", "sales"]  # type: ignore[index]

    # The gap's own andon holds the order: past the hold's deadline it goes to the pull's owners.
    clock_of(runtime).advance(timedelta(minutes=600))
    await run_watchdog(runtime)

    steps = sorted(
        g["step"] for g in (await http.get("/v1/gaps", headers=auth("staff-key"))).json()
    )
    assert steps == ["andon_hold", "credit_review"]
    [entry] = await board(http)
    assert entry["pull_count"] == 2 and entry["details"]["step"] == "andon_hold"

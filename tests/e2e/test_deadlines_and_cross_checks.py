"""Deadlines of waiting states and reconciliation across services, on both runtimes.

A stack of its own per runtime: its policy gives a credit review three seconds, and its hand-off
answers may take 45 seconds (no answer of a busy stack is mistaken for a lost one before then).
"""

from pathlib import Path
from typing import Any

import pytest

from shared.db import connect
from tests.e2e.clients import Api, eventually
from tests.e2e.conftest import stack_of_its_own
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e

SETTLE = 45
SETTINGS = {
    "GAPLESS_SEED_DEMO": "false",
    "GAPLESS_ANDON__ANSWER_TIMEOUT_SECONDS": str(SETTLE),
    "GAPLESS_ANDON__RELEASE_GRACE_SECONDS": "600",
}


stack = stack_of_its_own("deadlines", SETTINGS)


async def test_an_order_left_in_credit_review_past_its_deadline_is_a_gap_pulled_to_credit(
    api: Api,
) -> None:
    policy = await api.policy()
    policy.pop("version")
    policy["deadlines"] = {**policy["deadlines"], "credit_review_minutes": 0.05}
    response = await api.put_policy(policy)
    assert response.status_code == 200, response.text
    assert response.json()["deadlines"]["credit_review_minutes"] == 0.05
    customer = await api.new_customer("reviewed", light="red")
    sku = await api.new_item("reviewed", stock=5)

    order_id = await api.place_order(customer, [(sku, 1)])
    await api.wait_for_order(order_id, lambda o: "credit_review" in o["holds"], within=120)

    async def gap() -> dict[str, Any]:
        gaps = [g for g in await api.gaps() if str(g["order_id"]) == order_id]
        assert [g["step"] for g in gaps] == ["credit_review"], gaps  # retried until it shows
        [found] = gaps
        assert found["pull_id"] is not None, found
        return found

    found = await eventually(gap, timeout=240, interval=0.5)
    pull = await api.andon_pull(str(found["pull_id"]))
    assert (pull["category"], pull["automatic"], pull["pulled_by"]) == (
        "credit",
        True,
        "gap-watchdog",
    ), pull
    assert pull["departments"] == ["credit", "sales"], pull
    assert pull["target_kind"] == "order" and pull["target_id"] == order_id, pull


async def test_reconciliation_names_the_order_whose_order_placed_inventory_never_received(
    api: Api,
) -> None:
    customer = await api.new_customer("crosscheck")
    # No stock: both orders wait for it, so nothing more of theirs reaches inventory after this.
    sku = await api.new_item("crosscheck", stock=0)
    kept, lost = [await api.place_order(customer, [(sku, 1)]) for _ in range(2)]
    for order_id in (kept, lost):
        await api.wait_for_order(order_id, lambda o: "backorder" in o["holds"], within=120)
    # Inventory loses every trace of one order, as if its OrderPlaced had never arrived.
    await _forget_in_inventory(api.stack, lost)

    async def settled_and_checked() -> dict[str, Any]:
        report = await api.reconcile()
        run = await _cross_check(api, str(report["run_id"]))
        assert any(str(f["order_id"]) == lost for f in run["findings"]), run
        return run

    run = await eventually(settled_and_checked, timeout=SETTLE + 150, interval=3)

    ours = [(str(f["order_id"]), f["step"], f["service"]) for f in run["findings"]]
    assert (lost, "stock_check", "inventory") in ours, run
    assert all(order_id != kept for order_id, _, _ in ours), run
    [finding] = [f for f in run["findings"] if str(f["order_id"]) == lost]
    assert finding["problem"] == f"inventory never received OrderPlaced for {lost}", finding
    assert run["checked"] >= 2 and run["awaiting"] == [], run


async def _cross_check(api: Api, run_id: str) -> dict[str, Any]:
    async def complete() -> dict[str, Any]:
        response = await api.request("GET", f"/v1/reconciliation/runs/{run_id}")
        assert response.status_code == 200, response.text
        run: dict[str, Any] = response.json()
        assert run["status"] == "complete", run
        return run

    return await eventually(complete, timeout=60, interval=0.5)


async def _forget_in_inventory(stack: Stack, order_id: str) -> None:
    if stack.target == "embedded":
        url, schema = f"sqlite:///{Path(stack.env['GAPLESS_DATA_DIR']) / 'inventory.db'}", ""
    else:
        url, schema = (
            stack.env["GAPLESS_DATABASE_URL"],
            f"{stack.env['GAPLESS_NAMESPACE']}_inventory",
        )
    database = await connect(url, schema=schema)
    try:
        async with database.transaction() as conn:
            await conn.execute("DELETE FROM stock_order_line WHERE order_id = $1", order_id)
    finally:
        await database.close()

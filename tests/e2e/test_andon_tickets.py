"""Andon tickets: routed to departments, resolved only with a root cause, counted in metrics."""

import re
from uuid import uuid4

import pytest

from tests.e2e.clients import Api, eventually

pytestmark = pytest.mark.e2e

ROUTING = {
    "quality": ["quality"],
    "stock": ["warehouse"],
    "credit": ["credit"],
    "transport": ["shipping"],
    "process": ["operations"],
    "other": ["operations"],
}


def _step() -> str:
    """A step target of its own: a step pull holds no order, so it disturbs no other test."""
    return f"e2e-step-{uuid4().hex[:8]}"


async def test_resolving_without_a_root_cause_is_refused_naming_the_field(api: Api) -> None:
    pull_id = await api.pull("step", _step())

    missing = await api.resolve_andon(pull_id, root_cause=None)
    blank = await api.resolve_andon(pull_id, root_cause="   ")

    for response in (missing, blank):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["root_cause"], response.text
    assert (await api.andon_pull(pull_id))["open"] is True
    staff = await api.andon_request(
        "POST", f"/v1/andon/pulls/{pull_id}/resolve", role="staff", json={"root_cause": "x"}
    )
    assert staff.status_code == 403, "resolving is for ops"
    await api.resolve(pull_id)


async def test_tickets_are_routed_by_category_and_sales_joins_for_orders_and_customers(
    api: Api,
) -> None:
    step_pulls = {
        category: await api.pull("step", _step(), category=category) for category in ROUTING
    }
    ordered = await api.new_item("ticket", stock=1)
    order_id = await api.place_order(await api.new_customer("ticket-order"), [(ordered, 1)])
    order_pull = await api.pull("order", order_id, category="transport")
    customer_pull = await api.pull("customer", await api.new_customer("ticket"), category="quality")

    for category, pull_id in step_pulls.items():
        pull = await api.andon_pull(pull_id)
        assert pull["departments"] == pull["ticket"]["departments"] == ROUTING[category], pull
    assert (await api.andon_pull(order_pull))["departments"] == ["shipping", "sales"]
    assert (await api.andon_pull(customer_pull))["departments"] == ["quality", "sales"]
    for pull_id in (*step_pulls.values(), order_pull, customer_pull):
        await api.resolve(pull_id)


async def test_a_resolved_ticket_shows_its_time_to_resolve_in_stats_and_metrics(api: Api) -> None:
    before = await api.andon_stats()
    pull_id = await api.pull("step", _step(), category="transport")

    resolved = await api.resolve_andon(pull_id, root_cause="carrier strike", fix="second carrier")

    assert resolved.status_code == 200, resolved.text
    ticket = resolved.json()["ticket"]
    assert (ticket["status"], ticket["root_cause"], ticket["fix"]) == (
        "resolved",
        "carrier strike",
        "second carrier",
    )
    assert ticket["seconds_to_resolve"] >= 0 and ticket["resolved_at"] is not None, ticket
    assert ticket["resolved_by"], ticket
    after = await api.andon_stats()
    # Other scenarios' automatic pulls may land meanwhile: at least ours is counted.
    assert after["pull_count"] >= before["pull_count"] + 1, (before, after)
    assert after["mean_seconds_to_resolve"] is not None, after
    transport = after["categories"]["transport"]
    assert transport["pull_count"] >= 1 and transport["mean_seconds_to_resolve"] is not None

    async def in_metrics() -> None:
        text = await api.andon_metrics()
        pulls = _sample(text, "gapless_andon_pulls_total", category="transport", automatic="false")
        resolved_count = _sample(
            text, "gapless_andon_seconds_to_resolve_count", category="transport"
        )
        assert pulls >= transport["pull_count"], text
        assert resolved_count >= 1, text
        assert "gapless_andon_open_pulls" in text, text

    # The metrics are a snapshot of the board, refreshed by a schedule.
    await eventually(in_metrics, timeout=20, interval=0.3)


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one Prometheus sample with (at least) these labels, 0 when absent."""
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match is None:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(match.group(2))
    return 0.0

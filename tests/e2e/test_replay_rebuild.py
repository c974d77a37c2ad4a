"""Rebuilding read models from zero out of the event store gives exactly the state there was."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from services.roster import NAMES
from tests.e2e.clients import Api, eventually
from tests.e2e.stack import broker_for

pytestmark = pytest.mark.e2e


async def test_rebuilt_read_models_hash_the_same_as_the_live_ones(api: Api) -> None:
    sku = f"REPLAY-{uuid4().hex[:6]}".upper()
    await api.define_item(sku)
    await api.receive(sku, 1)
    customer = await api.new_customer("customer-r")
    orders = [await api.place_order(customer, [(sku, 1)]) for _ in range(3)]

    async def settled() -> None:
        statuses = [(await api.order(order_id))["status"] for order_id in orders]
        assert "pending" not in statuses, statuses

    await eventually(settled, timeout=30)

    for service in NAMES:
        result = api.stack.cli("replay", "rebuild", service, "--check")
        assert result.returncode == 0, result.stderr
        assert "read models identical" in result.stderr


async def test_rebuild_refuses_an_unknown_service_with_a_clear_message(api: Api) -> None:
    result = api.stack.cli("replay", "rebuild", "warehouse")

    assert result.returncode == 2
    assert "unknown service 'warehouse'" in result.stderr


async def _read_as(api: Api, group: str, topic: str) -> list[bytes]:
    """Everything `group` is given on `topic` within a few seconds (nothing is committed)."""
    broker = broker_for(api.stack)
    await broker.start()
    subscription = broker.subscription([topic], group=group)
    await subscription.start()
    values: list[bytes] = []
    try:
        deadline = asyncio.get_running_loop().time() + 8
        while asyncio.get_running_loop().time() < deadline:
            values += [r.value for r in await subscription.fetch(max_records=500, timeout_ms=500)]
    finally:
        await subscription.stop()
        await broker.close()
    return values


async def test_a_topic_is_replayed_to_a_named_group_from_the_start_or_from_a_time(
    api: Api,
) -> None:
    sku = f"REFEED-{uuid4().hex[:6]}".upper()
    await api.define_item(sku)
    order_id = await api.place_order(await api.new_customer("customer-refeed"), [(sku, 1)])
    group = f"downstream-{uuid4().hex[:6]}"

    from_start = api.stack.cli("replay", "group", group, "--topic", "order.events")
    replayed = await _read_as(api, group, "order.events")
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    from_later = api.stack.cli(
        "replay", "group", group, "--topic", "order.events", "--since", later
    )
    replayed_since_later = await _read_as(api, group, "order.events")

    assert from_start.returncode == 0, from_start.stderr
    assert any(order_id.encode() in value for value in replayed)
    assert from_later.returncode == 0, from_later.stderr
    assert replayed_since_later == []


async def test_a_replay_to_a_gapless_group_reaches_back_the_replay_window_at_most(
    api: Api,
) -> None:
    """Its inbox forgets what it handled after the retention period: an older event handed to
    it again could take effect twice."""
    too_early = (datetime.now(UTC) - timedelta(days=8)).isoformat()

    from_start = api.stack.cli("replay", "group", "inventory", "--topic", "order.events")
    too_far = api.stack.cli(
        "replay", "group", "inventory", "--topic", "order.events", "--since", too_early
    )

    for refused in (from_start, too_far):
        assert refused.returncode == 2, refused.stderr
        assert "replay window" in refused.stderr

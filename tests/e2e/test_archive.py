"""`gapless archive`: an ended order's streams move to a file and back, byte for byte, while the
product runs; its read models keep answering, and what would need its events refuses clearly."""

import gzip
from pathlib import Path

import pytest

from shared import fastjson
from tests.e2e.clients import Api, eventually

pytestmark = pytest.mark.e2e


async def _completed_and_quiet(api: Api) -> str:
    """A paid order, once the last answers about it (delivery, credit released) are in."""
    sku = await api.new_item("archive", stock=2, price_cents=1_000)
    order_id = await api.place_order(await api.new_customer("archive"), [(sku, 1)])
    await api.complete(order_id)

    async def quiet() -> None:
        answers = {entry["event"] for entry in (await api.order(order_id))["timeline"]}
        assert "CreditReleased" in answers, answers
        assert [s["status"] for s in await api.shipments(order_id)] == ["delivered"]

    await eventually(quiet, timeout=30)
    return order_id


async def test_an_ended_order_moves_to_an_archive_and_back_exactly(
    api: Api, tmp_path: Path
) -> None:
    order_id = await _completed_and_quiet(api)
    before = await api.order(order_id)
    first, again = tmp_path / "first.jsonl.gz", tmp_path / "again.jsonl.gz"
    export = ("archive", "export", "--older-than-days", "0", "--order", order_id)

    exported = api.stack.cli(*export, "--to", str(first))
    try:
        assert exported.returncode == 0, exported.stderr
        assert "archived 1 orders" in exported.stderr
        with gzip.open(first) as lines:
            streams = {fastjson.loads(line).get("stream_id") for line in lines}
        assert f"order:{order_id}" in streams

        # Read models keep answering, exactly as before.
        assert await api.order(order_id) == before
        # What needs the events is refused, saying why.
        returned = await api.record_return(order_id, [(before["lines"][0]["sku"], 1)])
        assert returned.status_code == 409, returned.text
        assert "archived" in returned.json()["detail"]
        rebuild = api.stack.cli("replay", "rebuild", "order", "--check")
        assert rebuild.returncode == 1
        assert "archive import" in rebuild.stderr
    finally:
        imported = api.stack.cli("archive", "import", str(first))
    assert imported.returncode == 0, imported.stderr

    assert await api.order(order_id) == before
    rebuild = api.stack.cli("replay", "rebuild", "order", "--check")
    assert rebuild.returncode == 0 and "read models identical" in rebuild.stderr
    re_exported = api.stack.cli(*export, "--to", str(again))
    restored = api.stack.cli("archive", "import", str(again))
    assert re_exported.returncode == 0 and restored.returncode == 0, restored.stderr
    assert again.read_bytes() == first.read_bytes()


async def test_an_order_still_going_is_not_archived(api: Api, tmp_path: Path) -> None:
    customer = await api.new_customer("archive-red", light="red")  # held for a credit review
    order_id = await api.place_order(customer, [(await api.new_item("live", stock=1), 1)])

    result = api.stack.cli(
        "archive",
        "export",
        "--older-than-days",
        "0",
        "--order",
        order_id,
        "--to",
        str(tmp_path / "none.jsonl.gz"),
    )

    assert result.returncode == 0, result.stderr
    assert "no ended order" in result.stderr
    assert (await api.order(order_id))["status"] != "completed"

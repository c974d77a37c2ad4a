"""Keys managed with the CLI while the product runs: a channel added works at once and sees
only its own orders; a revoked key answers 401 at once; no restart either way."""

import subprocess
import sys

import httpx

from tests.e2e.clients import SHIP_TO, Api, eventually, unique
from tests.e2e.stack import REPO


def _keys_cli(api: Api, *args: str) -> str:
    keys_file = api.stack.folder / "keys.json"  # the file every process of the stack reads
    done = subprocess.run(
        [sys.executable, "-m", "services", "keys", *args, "--file", str(keys_file)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def test_a_channel_added_by_the_cli_works_at_once_sees_its_own_orders_and_is_revoked(
    api: Api,
) -> None:
    customer, sku = await api.new_customer("marketplace"), await api.new_item("mp", stock=5)
    name = unique("marketplace").lower()
    key = next(
        line for line in _keys_cli(api, "add-channel", name).split() if line.startswith("gk_")
    )
    as_new = {"Authorization": f"Bearer {key}"}

    async def get(path: str) -> httpx.Response:
        return await api.client.get(api.stack.url_for(path), headers=as_new)

    async def answers() -> None:
        assert (await get(f"/v1/items/{sku}")).status_code == 200

    await eventually(answers, timeout=10)
    placed = await api.client.post(
        api.stack.url_for("/v1/orders"),
        headers={**as_new, "Idempotency-Key": unique("key")},
        json={
            "customer_id": customer,
            "lines": [{"sku": sku, "quantity": 1}],
            "ship_to": dict(SHIP_TO),
        },
    )
    assert placed.status_code == 202, placed.text
    order_id = placed.json()["order_id"]

    # Its own orders, and only those; the first channel does not see this one.
    mine = await get("/v1/orders")
    assert mine.status_code == 200, mine.text
    assert [o["order_id"] for o in mine.json()] == [order_id]
    assert await api.orders(customer_id=customer) == []

    _keys_cli(api, "revoke", name)

    async def refused() -> None:
        assert (await get(f"/v1/orders/{order_id}")).status_code == 401

    await eventually(refused, timeout=10)

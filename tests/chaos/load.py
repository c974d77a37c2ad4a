"""The load of a fault run, as careful integrators send it: every POST with an Idempotency-Key,
retried with the same key after a timeout, a dropped connection or a 503 until it is answered.

Every answer is counted: 2xx, 4xx, 503 refusals and 5xx apart. An order counts as accepted when
one of its attempts got a 2xx; the checker later finds every accepted order again.
"""

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx

from tests.e2e.clients import SHIP_TO

CUSTOMERS = [f"CHAOS-CUSTOMER-{i}" for i in range(12)]
SKUS = [f"CHAOS-SKU-{i}" for i in range(8)]
STOCK = 10_000_000
PRICE_CENTS = 1_000
# How long one request is retried before the load gives up on it (the checker counts those).
PATIENCE_SECONDS = 90.0


@dataclass
class History:
    statuses: Counter[int] = field(default_factory=Counter)
    # "POST /v1/payments 201": answers per kind of request, to tell where refusals came from
    by_request: Counter[str] = field(default_factory=Counter)
    transport_errors: int = 0
    unanswered: int = 0
    # order id -> sku -> the largest quantity ever asked for (placed or changed)
    orders: dict[str, dict[str, int]] = field(default_factory=dict)
    cancelled: set[str] = field(default_factory=set)
    changes: int = 0
    # invoice id -> cents of the payments that were answered 2xx (each key counted once)
    paid: dict[str, int] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)
    pulls: int = 0
    pay_cursor: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "by_request": dict(sorted(self.by_request.items())),
            "transport_errors": self.transport_errors,
            "unanswered": self.unanswered,
            "orders_accepted": len(self.orders),
            "cancels_accepted": len(self.cancelled),
            "changes_accepted": self.changes,
            "payments_accepted": len(self.paid),
            "andon_pulls": self.pulls,
        }


class Client:
    """Requests to whichever process of the service is up, retried until answered."""

    def __init__(self, urls_for: Callable[[str], list[str]], keys: dict[str, str]) -> None:
        self._urls_for = urls_for
        self._keys = keys
        self._http = httpx.AsyncClient(timeout=15)
        self.history = History()

    async def close(self) -> None:
        await self._http.aclose()

    async def send(
        self,
        method: str,
        path: str,
        *,
        role: str = "ops",
        json: Any = None,
        key: str | None = None,
        params: dict[str, str] | None = None,
        answer_within: float = 15.0,
    ) -> httpx.Response | None:
        headers = {"Authorization": f"Bearer {self._keys[f'{role}_key']}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        deadline = time.monotonic() + PATIENCE_SECONDS
        pause = 0.2
        while time.monotonic() < deadline:
            url = random.choice(self._urls_for(path)) + path
            try:
                response = await self._http.request(
                    method, url, json=json, headers=headers, params=params, timeout=answer_within
                )
            except httpx.TransportError:
                self.history.transport_errors += 1
            else:
                self.history.statuses[response.status_code] += 1
                kind = "/".join(path.split("?")[0].split("/")[:3])
                self.history.by_request[f"{method} {kind} {response.status_code}"] += 1
                if not _retry(response):
                    return response
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, 3.0)
        self.history.unanswered += 1
        return None


def _retry(response: httpx.Response) -> bool:
    # 503: the database is away; 409 "in progress": the first attempt with this key still runs.
    in_progress = response.status_code == 409 and "in progress" in response.text
    return response.status_code in (502, 503, 504) or in_progress


async def define_catalogue(client: Client) -> None:
    for customer in CUSTOMERS:
        body = {
            "name": customer.title(),
            "credit_light": "green",
            "credit_limit_cents": 10**11,
            "review_threshold_cents": 10**10,
        }
        await client.send("PUT", f"/v1/customers/{customer}", json=body)
    for sku in SKUS:
        await client.send(
            "PUT", f"/v1/items/{sku}", json={"name": sku, "unit_price_cents": PRICE_CENTS}
        )
        answer = await client.send(
            "POST", f"/v1/inventory/{sku}/receipts", json={"quantity": STOCK}, key=f"stock-{sku}"
        )
        if answer is not None and answer.status_code == 202:
            client.history.received[sku] = STOCK


def _lines() -> dict[str, int]:
    return {sku: random.randint(1, 3) for sku in random.sample(SKUS, random.randint(1, 2))}


async def place_one(client: Client) -> None:
    lines = _lines()
    body = {
        "customer_id": random.choice(CUSTOMERS),
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines.items()],
        "ship_to": SHIP_TO,
    }
    answer = await client.send("POST", "/v1/orders", role="channel", json=body, key=str(uuid4()))
    if answer is None or answer.status_code != 202:
        return
    order_id = answer.json()["order_id"]
    client.history.orders[order_id] = dict(lines)
    roll = random.random()
    if roll < 0.15:
        await asyncio.sleep(random.uniform(0.05, 0.5))
        await _change(client, order_id)
    elif roll < 0.22:
        await asyncio.sleep(random.uniform(0.05, 0.5))
        await _cancel(client, order_id)


async def _change(client: Client, order_id: str) -> None:
    lines = client.history.orders[order_id]
    sku = next(iter(lines))
    new = {"lines": [{"sku": sku, "quantity": lines[sku] + 1}]}
    answer = await client.send(
        "PATCH", f"/v1/orders/{order_id}", role="channel", json=new, key=str(uuid4())
    )
    if answer is not None and answer.status_code == 200:
        lines[sku] += 1
        client.history.changes += 1


async def _cancel(client: Client, order_id: str) -> None:
    answer = await client.send(
        "POST", f"/v1/orders/{order_id}/cancel", role="channel", key=str(uuid4())
    )
    if answer is not None and answer.status_code == 200:
        client.history.cancelled.add(order_id)


async def pay_orders(client: Client, order_ids: list[str]) -> None:
    """Pay every open invoice of these orders in full, once: the key is the invoice's, so a
    retry is no repeat."""
    limit = asyncio.Semaphore(8)

    async def pay(order_id: str) -> None:
        async with limit:
            listed = await client.send("GET", "/v1/invoices", params={"order_id": order_id})
            for invoice in (
                listed.json() if listed is not None and listed.status_code == 200 else []
            ):
                await _pay(client, invoice)

    await asyncio.gather(*(pay(order_id) for order_id in order_ids))


async def _pay(client: Client, invoice: dict[str, Any]) -> None:
    invoice_id = invoice["invoice_id"]
    amount = invoice["total_cents"] - invoice["paid_cents"]
    if invoice_id in client.history.paid or amount <= 0:
        return
    body = {"invoice_id": invoice_id, "amount_cents": amount}
    answer = await client.send("POST", "/v1/payments", json=body, key=f"pay-{invoice_id}")
    if answer is not None and answer.status_code == 201:
        client.history.paid[invoice_id] = amount


async def pay_some(client: Client) -> None:
    """The orders placed a while ago, a few at a time, in turn."""
    placed = [o for o in client.history.orders if o not in client.history.cancelled]
    if placed:
        start = client.history.pay_cursor % len(placed)
        await pay_orders(client, (placed[start:] + placed[:start])[:30])
        client.history.pay_cursor = start + 30


async def pull_and_resolve(client: Client) -> None:
    """Stop the line on a SKU for a few seconds; the orders it held resume on resolution."""
    body = {
        "target": {"kind": "sku", "id": random.choice(SKUS)},
        "reason": "fault run: stop the line",
        "category": "quality",
        "pulled_by": "chaos",
    }
    pulled = await client.send("POST", "/v1/andon/pulls", role="staff", json=body, key=str(uuid4()))
    if pulled is None or pulled.status_code not in (200, 201):
        return
    client.history.pulls += 1
    await asyncio.sleep(random.uniform(2, 5))
    resolution = {"root_cause": "fault run", "fix": "none needed"}
    pull_id = pulled.json()["pull_id"]
    await client.send(
        "POST", f"/v1/andon/pulls/{pull_id}/resolve", json=resolution, key=f"resolve-{pull_id}"
    )


async def steady_load(client: Client, *, rate: float, seconds: float) -> None:
    """Orders at `rate` per second (open model: one does not wait for the last), payments and
    andon pulls beside them, for `seconds`."""
    started = time.monotonic()
    tasks: set[asyncio.Task[None]] = set()
    next_pay = next_pull = started
    count = 0
    while (now := time.monotonic()) < started + seconds:
        for coroutine_factory, due in ((pay_some, next_pay), (pull_and_resolve, next_pull)):
            if now >= due:
                _spawn(tasks, coroutine_factory(client))
        next_pay = now + 3 if now >= next_pay else next_pay
        next_pull = now + 20 if now >= next_pull else next_pull
        _spawn(tasks, place_one(client))
        count += 1
        await asyncio.sleep(max(0.0, started + count / rate - time.monotonic()))
    await asyncio.gather(*tasks, return_exceptions=True)


def _spawn(tasks: set[asyncio.Task[None]], coroutine: Any) -> None:
    task = asyncio.create_task(coroutine)
    tasks.add(task)
    task.add_done_callback(tasks.discard)

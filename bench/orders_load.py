"""Open-model load: orders placed at a constant arrival rate over HTTP, followed to shipment.

Order i is due at t0 + i/rate and is sent then, whether earlier orders were answered or not
(no coordinated omission); its intake latency counts from that intended time. Every accepted
order is then polled sparingly, on a client of its own, until it shipped or the step's grace
period is over; its release and shipment are timed by event time from its timeline.
"""

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import uuid4

import httpx

from tests.e2e.clients import SHIP_TO
from tests.e2e.stack import Stack

QUANTITY = 1  # every order the same size, so the pattern check never holds one
MAX_ATTEMPTS = 5
FIRST_POLL_S, POLL_FACTOR, MAX_POLL_S = 0.3, 2.0, 4.0
# The last poll runs at the deadline; give its answer this long before the sample is closed.
LAST_ANSWER_S = 10.0
# Stop offering once this many seconds' worth of orders wait for an answer: the step has failed,
# and piling on more only makes the run longer.
ABORT_OUTSTANDING_S = 10.0
SHIPPED = ("shipped", "completed")


@dataclass(frozen=True)
class Mix:
    """Who orders what: order i is one unit of SKU i % len(skus) for customer i % len(customers)."""

    customers: Sequence[str]
    skus: Sequence[str]

    def body(self, i: int) -> dict[str, Any]:
        return {
            "external_id": f"bench-{uuid4().hex[:12]}",
            "customer_id": self.customers[i % len(self.customers)],
            "lines": [{"sku": self.skus[i % len(self.skus)], "quantity": QUANTITY}],
            "ship_to": dict(SHIP_TO),
        }


@dataclass
class OrderSample:
    """One order; every time is in seconds on the monotonic clock of this process."""

    intended: float
    sent: float | None = None
    answered: float | None = None
    attempts: int = 0
    error: str | None = None
    order_id: str | None = None
    placed_at: float | None = None
    released_at: float | None = None
    shipped_at: float | None = None
    polls: int = 0
    poll_errors: int = 0


@dataclass
class StepRun:
    """The samples of one constant-rate step and its time marks (monotonic seconds)."""

    rate: float
    start: float
    end: float
    deadline: float
    samples: list[OrderSample] = field(default_factory=list)
    finished: float = 0.0
    aborted_at: int | None = None
    waiting: int = 0  # orders sent and not answered yet


class Channel:
    """POST and GET /v1/orders as a channel integration, spread over the order processes.

    Requests take turns over several clients: httpx scans its whole pool on every request, which
    costs this process more CPU than the requests themselves once hundreds share one pool.
    """

    def __init__(self, stack: Stack, clients: Sequence[httpx.AsyncClient]) -> None:
        names = [n for n in stack.processes if n in ("embedded", "order") or n.startswith("order-")]
        self.urls = [f"{stack.processes[name].url}/v1/orders" for name in names]
        self.headers = {"Authorization": f"Bearer {stack.keys['channel_key']}"}
        self.clients = clients
        self._turn = itertools.count()

    def _next(self) -> tuple[httpx.AsyncClient, str]:
        turn = next(self._turn)
        return self.clients[turn % len(self.clients)], self.urls[turn % len(self.urls)]

    async def post(self, body: dict[str, Any], key: str) -> httpx.Response:
        client, url = self._next()
        headers = {**self.headers, "Idempotency-Key": key}
        return await client.post(url, json=body, headers=headers)

    async def get(self, order_id: str) -> httpx.Response:
        client, url = self._next()
        return await client.get(f"{url}/{order_id}", headers=self.headers)


async def run_step(
    placing: Channel, polling: Channel, mix: Mix, *, rate: float, count: int, grace_s: float
) -> StepRun:
    """Offer `count` orders at `rate`/s, then follow them until shipped or the grace is over."""
    start = time.monotonic() + 0.05
    end = start + count / rate
    run = StepRun(rate=rate, start=start, end=end, deadline=end + grace_s)
    # Event times are wall-clock: this maps them onto the monotonic clock of the samples.
    offset = time.time() - time.monotonic()
    tasks: list[asyncio.Task[None]] = []
    for i in range(count):
        sample = OrderSample(intended=start + i / rate)
        if (delay := sample.intended - time.monotonic()) > 0:
            await asyncio.sleep(delay)
        if run.waiting > rate * ABORT_OUTSTANDING_S:
            run.aborted_at = i
            break
        run.samples.append(sample)
        run.waiting += 1
        work = _order(placing, polling, mix.body(i), sample, run, offset)
        tasks.append(asyncio.create_task(work))
    await asyncio.gather(*tasks)
    run.finished = time.monotonic()
    return run


async def _order(
    placing: Channel,
    polling: Channel,
    body: dict[str, Any],
    sample: OrderSample,
    run: StepRun,
    offset: float,
) -> None:
    try:
        async with asyncio.timeout(run.deadline + LAST_ANSWER_S - time.monotonic()):
            try:
                placed = await _place(placing, body, sample, run.deadline)
            finally:
                run.waiting -= 1
            if placed:
                await _follow(polling, sample, run.deadline, offset)
    except TimeoutError:
        sample.error = sample.error or "no answer by the step's deadline"


async def _place(
    channel: Channel, body: dict[str, Any], sample: OrderSample, deadline: float
) -> bool:
    """POST until a 2xx or a 4xx; 5xx, 429 and timeouts are retried with the same key."""
    key = f"bench-{uuid4()}"
    sample.sent = time.monotonic()
    for attempt in range(MAX_ATTEMPTS):
        sample.attempts += 1
        try:
            response = await channel.post(body, key)
        except httpx.TransportError as error:
            sample.error = type(error).__name__
        else:
            if response.is_success:
                sample.answered, sample.error = time.monotonic(), None
                sample.order_id = str(response.json()["order_id"])
                return True
            sample.error = f"HTTP {response.status_code}: {response.text[:200]}"
            if response.status_code < 500 and response.status_code != 429:
                return False
        backoff = min(2.0, 0.1 * 2**attempt)
        if time.monotonic() + backoff > deadline:
            break
        await asyncio.sleep(backoff)
    return False


async def _follow(channel: Channel, sample: OrderSample, deadline: float, offset: float) -> None:
    """GET the order after 0.3 s, then ever more rarely, and once more at the deadline."""
    assert sample.answered is not None and sample.order_id is not None
    wait, due = FIRST_POLL_S, sample.answered + FIRST_POLL_S
    while True:
        await asyncio.sleep(max(0.0, min(due, deadline) - time.monotonic()))
        await _poll(channel, sample, offset)
        if sample.shipped_at is not None or time.monotonic() >= deadline:
            return
        wait = min(MAX_POLL_S, wait * POLL_FACTOR)
        due = time.monotonic() + wait


async def _poll(channel: Channel, sample: OrderSample, offset: float) -> None:
    assert sample.order_id is not None
    sample.polls += 1
    try:
        response = await channel.get(sample.order_id)
    except httpx.TransportError:
        sample.poll_errors += 1
        return
    if response.status_code != 200:
        sample.poll_errors += 1
        return
    _record(sample, response.json(), offset)


def _record(sample: OrderSample, order: dict[str, Any], offset: float) -> None:
    """Event times of OrderPlaced, the first OrderReleased and, once shipped, ShipmentShipped."""
    for entry in order["timeline"]:
        at = datetime.fromisoformat(entry["at"]).timestamp() - offset
        match entry["event"]:
            case "OrderPlaced" if sample.placed_at is None:
                sample.placed_at = at
            case "OrderReleased" if sample.released_at is None:
                sample.released_at = at
            case "ShipmentShipped" if order["status"] in SHIPPED:
                sample.shipped_at = at

"""Andon propagation scenario: SKUs an andon pull affects in every service, pulls and probes.

Each sample is a fresh SKU with one unit in stock and two orders of one unit each:
- order A took the unit and was released: its shipment waits for a pick wave (the stack runs its
  schedules rarely, so no wave takes it during the run);
- order B came second: backordered with nothing reserved, so it stays unreleased.
A pull on the SKU must then show in the inventory (the SKU's sale stopped: the pull in
`stopped_by` of GET /v1/inventory/{sku}), in the order service (B gets the `andon` hold in
GET /v1/orders/{id}) and in fulfillment (A's waiting shipment is held: the pull in `held_by` of
GET /v1/shipments?order_id=A).
"""

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import perf_counter
from typing import Any

import httpx

from tests.e2e.clients import Api, eventually, unique

SERVICES = ("inventory", "order", "fulfillment")
# A service that shows none of the first pulls within the timeout is not waited for again.
GIVE_UP_AFTER = 3


@dataclass
class Sample:
    sku: str
    released_order: str  # A: released, its shipment waiting
    held_order: str  # B: unreleased (backordered), to be held by the pull
    polled: bool = True
    pull_id: str | None = None
    accepted_wall: datetime | None = None
    # Seconds from the 201 to the answer of the first GET showing the pull, per service.
    seen_s: dict[str, float] = field(default_factory=dict)
    # Seconds from the 201 to the answer of the last GET that did not show it yet (lower bound).
    not_yet_s: dict[str, float] = field(default_factory=dict)
    gets: dict[str, int] = field(default_factory=dict)
    get_rtt_s: dict[str, list[float]] = field(default_factory=dict)
    post_s: float = 0.0


@dataclass
class Probes:
    """One GET per affected service, each telling whether that service reflects the pull."""

    api: Api

    async def _json(self, path: str, **kwargs: Any) -> Any:
        try:
            response = await self.api.request("GET", path, **kwargs)
        except httpx.TransportError:
            return None
        return response.json() if response.status_code == 200 else None

    async def inventory(self, sample: Sample) -> bool:
        stock = await self._json(f"/v1/inventory/{sample.sku}", role="staff")
        return bool(stock) and sample.pull_id in stock.get("stopped_by", [])

    async def order(self, sample: Sample) -> bool:
        order = await self._json(f"/v1/orders/{sample.held_order}", role="channel")
        return bool(order) and "andon" in order.get("holds", [])

    async def fulfillment(self, sample: Sample) -> bool:
        shipments = await self._json(
            "/v1/shipments", role="staff", params={"order_id": sample.released_order}
        )
        held = [str(pull_id) for s in shipments or [] for pull_id in s.get("held_by", [])]
        return sample.pull_id in held

    def by_service(self) -> dict[str, Callable[[Sample], Awaitable[bool]]]:
        return {"inventory": self.inventory, "order": self.order, "fulfillment": self.fulfillment}


async def prepare(api: Api, customer: str, *, within: float) -> Sample:
    """A fresh SKU with A released (shipment waiting) and B backordered; see the module doc."""
    sku = unique("ANDON-BENCH")
    await api.define_item(sku, price_cents=1_000)
    await api.receive(sku, 1)
    first = await api.place_order(customer, [(sku, 1)])
    await api.wait_for_status(first, "released", within=within)

    async def waiting_shipment() -> None:
        shipments = await api.shipments(first)
        assert [s["status"] for s in shipments] == ["waiting"], shipments

    await eventually(waiting_shipment, timeout=within, interval=0.05)
    second = await api.place_order(customer, [(sku, 1)])
    await api.wait_for_order(
        second, lambda o: o["status"] != "pending" and "backorder" in o["holds"], within=within
    )
    return Sample(sku, first, second)


async def prepare_all(
    api: Api, customer: str, count: int, *, concurrency: int, within: float, budget: float
) -> tuple[list[Sample], list[str]]:
    """`count` samples made `concurrency` at a time, those ready within `budget` seconds;
    failures are returned as messages."""
    gate = asyncio.Semaphore(concurrency)
    samples: list[Sample] = []
    errors: list[str] = []

    async def one() -> None:
        async with gate:
            try:
                samples.append(await prepare(api, customer, within=within))
            except (AssertionError, httpx.HTTPError) as error:
                errors.append(f"{type(error).__name__}: {str(error)[:300]}")

    try:
        async with asyncio.timeout(budget):
            await asyncio.gather(*(one() for _ in range(count)))
    except TimeoutError:
        errors.append(f"setup budget of {budget:.0f} s reached: {len(samples)} of {count} ready")
    return samples, errors


async def pull(api: Api, sample: Sample) -> float:
    """POST the pull; returns perf_counter() of the 201 (raises if the answer is not 201)."""
    body = {
        "target": {"kind": "sku", "id": sample.sku},
        "reason": "benchmark: propagation of a stop-sale",
        "category": "quality",
        "pulled_by": "bench-andon",
    }
    posted = perf_counter()
    response = await api.request("POST", "/v1/andon/pulls", role="staff", json=body)
    accepted = perf_counter()
    assert response.status_code == 201, f"pull answered {response.status_code}: {response.text}"
    sample.pull_id = str(response.json()["pull_id"])
    sample.accepted_wall = datetime.now(UTC)
    sample.post_s = accepted - posted
    return accepted


async def watch(
    sample: Sample,
    service: str,
    probe: Callable[[Sample], Awaitable[bool]],
    accepted: float,
    *,
    poll_s: float,
    limit_s: float,
) -> None:
    """GET every `poll_s` after the previous answer until the service shows the pull."""
    gets = 0
    durations = sample.get_rtt_s.setdefault(service, [])
    while perf_counter() - accepted < limit_s:
        asked = perf_counter()
        reflected = await probe(sample)
        answered = perf_counter() - accepted
        durations.append(answered + accepted - asked)
        gets += 1
        if reflected:
            sample.seen_s[service] = answered
            break
        sample.not_yet_s[service] = answered
        await asyncio.sleep(poll_s)
    sample.gets[service] = gets


@dataclass
class PullPlan:
    poll_s: float
    limit_s: float
    settle_s: float  # after a quiet (unpolled) pull, before the next one
    deadline: float  # perf_counter() after which no pull starts


async def run_pulls(
    api: Api, samples: list[Sample], plan: PullPlan, *, skip: Iterable[str] = ()
) -> dict[str, Any]:
    """One pull at a time, each followed by probes of every service still measured (none for
    samples that are not `polled`: their event times only are measured)."""
    probes = Probes(api).by_service()
    measured = [name for name in SERVICES if name not in set(skip)]
    misses = dict.fromkeys(SERVICES, 0)
    dropped: dict[str, str] = {}
    done = 0
    for sample in samples:
        if perf_counter() > plan.deadline:
            break
        # A random pause desynchronises the pulls from every poll loop in the services.
        await asyncio.sleep(random.uniform(0.02, 0.06))
        accepted = await pull(api, sample)
        done += 1
        if not sample.polled:
            await asyncio.sleep(plan.settle_s)
            continue
        await asyncio.gather(
            *(
                watch(
                    sample,
                    name,
                    probes[name],
                    accepted,
                    poll_s=plan.poll_s,
                    limit_s=plan.limit_s,
                )
                for name in measured
            )
        )
        for name in list(measured):
            if name in sample.seen_s:
                misses[name] = -len(samples)  # seen once: always waited for
            else:
                misses[name] += 1
                if misses[name] >= GIVE_UP_AFTER:
                    measured.remove(name)
                    dropped[name] = (
                        f"showed none of the first {GIVE_UP_AFTER} pulls within"
                        f" {plan.limit_s:.0f} s: no longer probed"
                    )
    return {"pulls": done, "not_probed": dropped}


async def clear_away(api: Api, samples: list[Sample]) -> None:
    """Cancel the samples' orders, so their shipments stop waiting: a SKU pull makes fulfillment
    look at every waiting shipment, and the next samples should find as few as a live system."""

    async def cancel(order_id: str) -> None:
        with contextlib.suppress(httpx.HTTPError):  # a failure only slows the next pulls a bit
            await api.cancel_order(order_id)

    await asyncio.gather(
        *(cancel(order) for s in samples for order in (s.released_order, s.held_order))
    )

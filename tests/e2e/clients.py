"""Small typed HTTP helpers for end-to-end scenarios, and polling for eventual outcomes."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal
from uuid import uuid4

import httpx

from shared.envelope import Envelope
from shared.testing import eventually
from tests.e2e.stack import Stack, broker_for

__all__ = ["Api", "eventually", "policy_changed", "read_topics", "unique"]


Role = Literal["channel", "other_channel", "staff", "ops"]
Lines = Sequence[tuple[str, int]]
SHIP_TO = {
    "name": "Ada Lovelace",
    "line1": "12 Analytical Row",
    "city": "London",
    "postal_code": "N1 9GU",
    "country": "GB",
}
RELEASED_OR_LATER = ("released", "partially_shipped", "shipped", "completed")
# Settings of the simulated WMS/TMS that keep scenarios quick and deterministic.
FAST_SIMULATOR = {"pick_delay_ms": 50, "ship_delay_ms": 50, "failure_rate": 0, "paused": False}


def unique(name: str) -> str:
    """A name no other test uses (SKUs, customers), so tests never depend on each other."""
    return f"{name}-{uuid4().hex[:8]}".upper()


def _headers(key: str, method: str, extra: dict[str, str | None]) -> dict[str, str]:
    """A careful integrator's headers: every POST carries a fresh Idempotency-Key (unless the
    caller sets one, or drops it with None)."""
    headers: dict[str, str | None] = {"Authorization": f"Bearer {key}"}
    if method == "POST":
        headers["Idempotency-Key"] = str(uuid4())
    return {name: value for name, value in {**headers, **extra}.items() if value is not None}


class Api:
    """The product's HTTP API as a channel (orders) and as ops (everything else) would use it."""

    def __init__(self, stack: Stack, client: httpx.AsyncClient) -> None:
        self.stack = stack
        self.client = client
        self.keys = stack.keys

    async def request(
        self, method: str, path: str, *, role: Role = "ops", **kwargs: Any
    ) -> httpx.Response:
        headers = _headers(self.keys[f"{role}_key"], method, kwargs.pop("headers", {}))
        return await self.client.request(
            method, self.stack.url_for(path), headers=headers, **kwargs
        )

    async def _ok(self, method: str, path: str, *, expect: int = 200, **kwargs: Any) -> Any:
        response = await self.request(method, path, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    async def every_page(self, path: str, *, andon: bool = False, **kwargs: Any) -> list[Any]:
        """A list's every row, following its `Link: rel=next` pages as an integrator does."""
        send = self.andon_request if andon else self.request
        rows: list[Any] = []
        # The first request carries the filters; a next link carries them itself (httpx would
        # replace its query by any params given, even empty ones).
        params: dict[str, str] | None = {"limit": "500", **kwargs.pop("params", {})}
        url: str | None = path
        seen: set[str] = set()
        while url is not None:
            assert url not in seen, f"GET {url}: the next link repeats a page"
            seen.add(url)
            response = await send("GET", url, params=params, **kwargs)
            assert response.status_code == 200, f"GET {url}: {response.text}"
            rows += response.json()
            url, params = response.links.get("next", {}).get("url"), None
        return rows

    # --- master data (ops) ---------------------------------------------------------------

    async def define_item(
        self, sku: str, *, price_cents: int = 1_000, reorder_point: int | None = None
    ) -> None:
        body: dict[str, Any] = {"name": sku.title(), "unit_price_cents": price_cents}
        if reorder_point is not None:
            body["reorder_point"] = reorder_point
        await self._ok("PUT", f"/v1/items/{sku}", json=body, expect=204)

    async def define_customer(
        self,
        customer_id: str,
        *,
        light: str = "green",
        limit_cents: int = 100_000_000,
        threshold_cents: int = 50_000_000,
        tier: str = "regular",
    ) -> None:
        body = {
            "name": customer_id.title(),
            "credit_light": light,
            "credit_limit_cents": limit_cents,
            "review_threshold_cents": threshold_cents,
            "tier": tier,
        }
        response = await self.request("PUT", f"/v1/customers/{customer_id}", json=body)
        assert response.status_code in (200, 204), response.text

    async def customer(self, customer_id: str) -> dict[str, Any]:
        return dict(await self._ok("GET", f"/v1/customers/{customer_id}"))

    async def new_customer(self, name: str = "customer", **profile: Any) -> str:
        customer_id = unique(name).lower()
        await self.define_customer(customer_id, **profile)
        return customer_id

    async def new_item(self, name: str = "sku", *, stock: int = 0, **item: Any) -> str:
        sku = unique(name)
        await self.define_item(sku, **item)
        if stock:
            await self.receive(sku, stock)
        return sku

    async def new_big_customer(
        self, name: str, *, classes: Sequence[str] = ("A",), **profile: Any
    ) -> str:
        """A customer with more revenue than the other scenarios' customers, classified so.

        Revenue is what live orders are worth (held ones too): three equal orders of 990.00 (no
        pattern-check hold: under the first-order threshold, never far from the median), left
        backordered, then the classification runs until the customer is in one of `classes`.
        """
        customer = await self.new_customer(name, **profile)
        sku = await self.new_item("revenue", price_cents=9_900)
        for _ in range(3):
            await self.place_order(customer, [(sku, 10)])

        async def classified() -> None:
            await self.run_classification()
            assert (await self.customer(customer))["customer_class"] in classes

        await eventually(classified, timeout=30, interval=0.5)
        return customer

    async def receive(self, sku: str, quantity: int) -> None:
        await self._ok(
            "POST", f"/v1/inventory/{sku}/receipts", json={"quantity": quantity}, expect=202
        )

    async def stock(self, sku: str) -> dict[str, Any]:
        return dict(await self._ok("GET", f"/v1/inventory/{sku}"))

    async def wait_for_stock(self, sku: str, *, within: float = 30, **expected: int) -> None:
        """Until the SKU's stock shows `expected` (on_hand=..., reserved=..., ...)."""

        async def level() -> None:
            stock = await self.stock(sku)
            assert {name: stock[name] for name in expected} == expected, stock

        await eventually(level, timeout=within)

    async def wait_for_exposure(self, customer_id: str, cents: int, *, within: float = 30) -> None:
        """Until the customer's credit exposure shows `cents`."""

        async def exposure() -> None:
            assert (await self.customer(customer_id))["exposure_cents"] == cents

        await eventually(exposure, timeout=within)

    async def backorders(self, sku: str) -> list[dict[str, Any]]:
        """The orders waiting for the SKU, in the order a receipt would serve them."""
        return list(await self._ok("GET", f"/v1/inventory/{sku}/backorders"))

    async def policy(self) -> dict[str, Any]:
        return dict(await self._ok("GET", "/v1/policy"))

    async def put_policy(self, policy: dict[str, Any]) -> httpx.Response:
        return await self.request("PUT", "/v1/policy", json=policy)

    async def run_classification(self) -> None:
        response = await self.request("POST", "/v1/classifications/run")
        assert response.status_code in (200, 202, 204), response.text

    async def tune_simulator(self, **settings: Any) -> None:
        response = await self.request("PUT", "/v1/simulator", json={**FAST_SIMULATOR, **settings})
        assert response.status_code in (200, 204), response.text

    # --- orders (channel) ----------------------------------------------------------------

    def order_body(self, customer_id: str, lines: Lines) -> dict[str, Any]:
        return {
            "external_id": f"ext-{uuid4().hex[:10]}",
            "customer_id": customer_id,
            "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
            "ship_to": dict(SHIP_TO),
        }

    async def post_order(self, body: dict[str, Any], *, key: str | None) -> httpx.Response:
        headers = {"Idempotency-Key": key}  # None: sent without one
        return await self.request("POST", "/v1/orders", role="channel", json=body, headers=headers)

    async def place_order(self, customer_id: str, lines: Lines, *, key: str | None = None) -> str:
        body = self.order_body(customer_id, lines)
        response = await self.post_order(body, key=key or str(uuid4()))
        assert response.status_code == 202, response.text
        return str(response.json()["order_id"])

    async def order(self, order_id: str) -> dict[str, Any]:
        return dict(await self._ok("GET", f"/v1/orders/{order_id}", role="channel"))

    async def orders(self, **filters: str) -> list[dict[str, Any]]:
        return await self.every_page("/v1/orders", role="channel", params=filters)

    async def change_order(self, order_id: str, **changes: Any) -> httpx.Response:
        return await self.request("PATCH", f"/v1/orders/{order_id}", role="channel", json=changes)

    async def cancel_order(self, order_id: str) -> httpx.Response:
        return await self.request("POST", f"/v1/orders/{order_id}/cancel", role="channel")

    async def confirm_order(self, order_id: str) -> httpx.Response:
        return await self.request("POST", f"/v1/orders/{order_id}/confirm", role="channel")

    async def wait_for_order(
        self, order_id: str, check: Callable[[dict[str, Any]], bool], *, within: float = 30
    ) -> dict[str, Any]:
        """The order once `check` holds for it (its last state is in the failure)."""

        async def holds() -> dict[str, Any]:
            order = await self.order(order_id)
            assert check(order), order
            return order

        return await eventually(holds, timeout=within, interval=0.1)

    async def wait_for_status(
        self, order_id: str, status: str, *, holds: list[str] | None = None, within: float = 30
    ) -> dict[str, Any]:
        return await self.wait_for_order(
            order_id,
            lambda o: o["status"] == status and (holds is None or sorted(o["holds"]) == holds),
            within=within,
        )

    async def wait_for_release(self, order_id: str, *, within: float = 30) -> dict[str, Any]:
        """The order once released; the simulator may already have shipped it by then."""
        return await self.wait_for_order(
            order_id, lambda o: o["status"] in RELEASED_OR_LATER, within=within
        )

    # --- credit (ops) --------------------------------------------------------------------

    async def open_reviews(self) -> list[dict[str, Any]]:
        return await self.every_page("/v1/credit/reviews", params={"open": "true"})

    async def decide_review(self, order_id: str, decision: str, note: str = "e2e") -> None:
        response = await self.request(
            "POST", f"/v1/credit/reviews/{order_id}/{decision}", json={"note": note}
        )
        assert response.status_code in (200, 202, 204), response.text

    # --- fulfillment (staff / ops) -------------------------------------------------------

    async def shipments(self, order_id: str) -> list[dict[str, Any]]:
        return await self.every_page("/v1/shipments", params={"order_id": order_id})

    async def invoices(self, order_id: str) -> list[dict[str, Any]]:
        return await self.every_page("/v1/invoices", params={"order_id": order_id})

    async def pay(self, invoice_id: str, amount_cents: int) -> httpx.Response:
        return await self.request(
            "POST", "/v1/payments", json={"invoice_id": invoice_id, "amount_cents": amount_cents}
        )

    async def andon_pulls(self) -> list[dict[str, Any]]:
        return await self.every_page("/v1/andon/pulls", params={"open": "true"})

    # --- andon, gaps, reconciliation, defects (staff / ops) ---------------------------------

    async def andon_request(
        self, method: str, path: str, *, role: Role = "ops", **kwargs: Any
    ) -> httpx.Response:
        """A request to the andon service, whatever the path (its routes are not all /v1/andon)."""
        if self.stack.target == "embedded":
            return await self.request(method, path, role=role, **kwargs)
        headers = _headers(self.keys[f"{role}_key"], method, kwargs.pop("headers", {}))
        url = self.stack.processes["andon"].url + path
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def _andon_ok(self, method: str, path: str, *, expect: int = 200, **kwargs: Any) -> Any:
        response = await self.andon_request(method, path, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    async def pull_andon(
        self,
        kind: str,
        target_id: str,
        *,
        reason: str = "e2e: stop the line",
        category: str = "other",
        pulled_by: str = "e2e",
    ) -> httpx.Response:
        body = {
            "target": {"kind": kind, "id": target_id},
            "reason": reason,
            "category": category,
            "pulled_by": pulled_by,
        }
        return await self._to_andon_once_known("/v1/andon/pulls", body)

    async def _to_andon_once_known(self, path: str, body: dict[str, Any]) -> httpx.Response:
        """Andon learns SKUs, customers and orders from the order service's events: what was
        defined or placed a moment ago may still be unknown to it (404), so that is retried."""
        answered: list[httpx.Response] = []

        async def known() -> None:
            answer = await self.andon_request("POST", path, role="staff", json=body)
            answered.append(answer)
            assert answer.status_code != 404, answer.text

        with contextlib.suppress(AssertionError):
            await eventually(known, timeout=30, interval=0.2)
        return answered[-1]

    async def pull(self, kind: str, target_id: str, **pull: Any) -> str:
        """A new pull on the target (201); its pull id."""
        response = await self.pull_andon(kind, target_id, **pull)
        assert response.status_code == 201, response.text
        return str(response.json()["pull_id"])

    async def resolve_andon(
        self, pull_id: str, *, root_cause: str | None = "e2e root cause", fix: str = "e2e fix"
    ) -> httpx.Response:
        body: dict[str, Any] = {"fix": fix}
        if root_cause is not None:
            body["root_cause"] = root_cause
        return await self.andon_request("POST", f"/v1/andon/pulls/{pull_id}/resolve", json=body)

    async def resolve(self, pull_id: str) -> dict[str, Any]:
        response = await self.resolve_andon(pull_id)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def andon_board(self, *, open_only: bool = False) -> list[dict[str, Any]]:
        params = {"open": "true"} if open_only else {}
        return await self.every_page("/v1/andon/pulls", andon=True, role="staff", params=params)

    async def andon_pull(self, pull_id: str) -> dict[str, Any]:
        """One pull of the board (open or resolved)."""
        [pull] = [p for p in await self.andon_board() if str(p["pull_id"]) == pull_id]
        return dict(pull)

    async def open_pulls_on(self, kind: str, target_id: str) -> list[dict[str, Any]]:
        return [
            p
            for p in await self.andon_board(open_only=True)
            if (p["target_kind"], p["target_id"]) == (kind, target_id)
        ]

    async def andon_stats(self) -> dict[str, Any]:
        return dict(await self._andon_ok("GET", "/v1/andon/stats", role="staff"))

    async def gaps(self) -> list[dict[str, Any]]:
        return list(await self._andon_ok("GET", "/v1/gaps", role="staff"))

    async def reconcile(self) -> dict[str, Any]:
        return dict(await self._andon_ok("POST", "/v1/reconciliation/run"))

    async def complain(self, order_id: str, sku: str, reason: str = "broken") -> httpx.Response:
        body = {"order_id": order_id, "sku": sku, "reason": reason}
        return await self._to_andon_once_known("/v1/complaints", body)

    async def record_return(
        self, order_id: str, lines: Lines, reason: str = "defective"
    ) -> httpx.Response:
        body = {"lines": [{"sku": s, "quantity": q} for s, q in lines], "reason": reason}
        return await self.request(
            "POST", f"/v1/orders/{order_id}/returns", role="channel", json=body
        )

    async def andon_metrics(self) -> str:
        """The Prometheus text of the process serving the andon service."""
        if self.stack.target == "embedded":
            url = self.stack.processes["embedded"].url + "/metrics"
        else:
            url = self.stack.processes["andon"].url + "/metrics"
        response = await self.client.get(url)
        assert response.status_code == 200, response.text
        return response.text

    async def pay_all(self, order_id: str) -> None:
        """Pay every invoice of the order in full (what is still open of it)."""
        for invoice in await self.invoices(order_id):
            open_cents = int(invoice["open_cents"])
            if open_cents > 0:
                paid = await self.pay(str(invoice["invoice_id"]), open_cents)
                assert paid.status_code in (200, 201, 202), paid.text

    async def complete(self, order_id: str, *, within: float = 60) -> dict[str, Any]:
        """Wait until every unit shipped and was invoiced, pay the invoices, wait for completed."""

        async def invoiced() -> None:
            order = await self.order(order_id)
            assert order["status"] in ("shipped", "completed"), order
            invoiced = sum(int(i["total_cents"]) for i in await self.invoices(order_id))
            assert invoiced == order["total_cents"], (invoiced, order)

        await eventually(invoiced, timeout=within, interval=0.2)
        await self.pay_all(order_id)
        return await self.wait_for_status(order_id, "completed", within=within)


async def read_topics(
    stack: Stack,
    topics: Sequence[str],
    done: Callable[[list[Envelope]], bool],
    *,
    within: float = 30,
    caught_up: bool = False,
) -> list[Envelope]:
    """Read `topics` from the start as a fresh consumer group until `done` holds (and, with
    `caught_up`, on until a fetch finds nothing more: every record published by then, whatever
    its partition, is read); commits nothing.

    Raises AssertionError with what was read when `done` never holds within `within` seconds.
    """
    broker = broker_for(stack)
    await broker.start()
    subscription = broker.subscription(list(topics), group=f"e2e-reader-{uuid4().hex[:8]}")
    await subscription.start()
    read: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + within
        while not done(read):
            if asyncio.get_running_loop().time() > deadline:
                types = sorted({e.event_type for e in read})
                raise AssertionError(f"read {len(read)} events of types {types} from {topics}")
            _append(read, await subscription.fetch(max_records=500, timeout_ms=500))
        more = caught_up
        while more:
            more = bool(_append(read, await subscription.fetch(max_records=500, timeout_ms=1000)))
    finally:
        await subscription.stop()
        await broker.close()
    return read


def _append(read: list[Envelope], records: Sequence[Any]) -> int:
    """Add the records' envelopes to `read`; how many records there were."""
    for record in records:
        try:
            read.append(Envelope.from_cloudevent(json.loads(record.value)))
        except ValueError:
            continue  # poison injected by other scenarios
    return len(records)


@asynccontextmanager
async def policy_changed(
    api: Api, *, segments: dict[str, dict[str, Any]] | None = None, **pattern_check: Any
) -> AsyncIterator[dict[str, Any]]:
    """The service policy with some values changed, restored afterwards however the block ends.

    The policy is global: scenarios run one at a time, so only orders placed inside the block
    see the change (intake copies what it needs into `OrderPlaced`). `segments` maps a segment
    (`CC`, ...) to the fields that change in it.
    """
    before = await api.policy()
    changed = {
        "segments": {
            name: {**segment, **(segments or {}).get(name, {})}
            for name, segment in before["segments"].items()
        },
        "pattern_check": {**before["pattern_check"], **pattern_check},
    }
    response = await api.put_policy(changed)
    assert response.status_code in (200, 202, 204), response.text
    try:
        yield changed
    finally:
        restored = await api.put_policy(
            {"segments": before["segments"], "pattern_check": before["pattern_check"]}
        )
        assert restored.status_code in (200, 202, 204), restored.text

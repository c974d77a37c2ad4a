"""Channel webhooks on a real SQLite file: the feed queued with each status change, signed
deliveries in order per order, retries with a doubling delay, parking and redrive."""

import asyncio
import base64
import hashlib
import hmac
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from jsonschema import Draft202012Validator
from order_builders import NOW
from order_harness import a_place_command, auth, define, deliver, http_client, order_service, place

from services.order.api.webhooks import OrderStatusCloudEvent
from services.order.commands import RegisterWebhook
from services.order.domain.webhooks import RetryPolicy, signature
from services.order.service import DEFINITION
from services.order.settings import WebhookSettings
from services.order.webhooks.feed import cloudevent
from services.order.webhooks.sender import WebhookSender
from shared.clock import FrozenClock
from shared.envelope import Envelope
from shared.replay import rebuild_read_models
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"
EVENT_SCHEMA = "events/order/OrderStatusChanged.v1.json"

HOOK = "https://shop.example/hooks/orders"
FAST = WebhookSettings(attempts=3, first_retry_seconds=10, max_retry_seconds=15)


class Receiver:
    """A channel's webhook endpoint (in process): what it was sent, answering `status`."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.status = 204

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status)

    def statuses(self) -> list[tuple[str, str]]:
        return [
            (data["order_id"], data["status"])
            for data in (json.loads(r.content)["data"] for r in self.requests)
        ]


async def _released(runtime: ServiceRuntime, order_id: UUID) -> None:
    answer = {"order_id": str(order_id), "customer_id": "acme"}
    await deliver(runtime, "CreditApproved", {**answer, "amount_cents": 2_000, "exposure_cents": 0})
    stock = {"order_id": str(order_id), "sku": "CLOCK", "quantity": 2, "reserved_total": 2}
    await deliver(runtime, "StockReserved", stock)


async def _subscribed_order(runtime: ServiceRuntime) -> UUID:
    """The catalogue defined, a webhook for channel `shop`, and an order of the channel."""
    await define(runtime)
    await runtime.send(RegisterWebhook(channel="shop", url=HOOK))
    return await place(runtime, a_place_command(channel="shop"))


async def _queued(runtime: ServiceRuntime) -> list[dict[str, Any]]:
    async with runtime.db.transaction() as conn:
        rows = await conn.fetch("SELECT * FROM webhook_delivery ORDER BY order_id, sequence")
    return [dict(row) for row in rows]


def test_signatures_are_those_of_the_standard_webhooks_example() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'

    signed = signature(
        secret, webhook_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265330, body=body
    )
    replayed = signature(
        secret, webhook_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265331, body=body
    )

    assert signed == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert replayed != signed


def test_a_failed_attempt_waits_twice_as_long_as_the_one_before_then_it_is_parked() -> None:
    policy = RetryPolicy(
        attempts=5, first_delay=timedelta(seconds=10), max_delay=timedelta(seconds=25)
    )

    after = [policy.after(attempts_before=n, error="HTTP 503", now=NOW) for n in range(5)]
    delivered = policy.after(attempts_before=2, error=None, now=NOW)

    assert [(a.state, a.next_attempt_at - NOW) for a in after[:4]] == [
        ("pending", timedelta(seconds=10)),
        ("pending", timedelta(seconds=20)),
        ("pending", timedelta(seconds=25)),
        ("pending", timedelta(seconds=25)),
    ]
    assert (after[4].state, after[4].attempts, after[4].error) == ("parked", 5, "HTTP 503")
    assert (delivered.state, delivered.attempts, delivered.error) == ("delivered", 3, None)


async def test_each_status_change_of_a_subscribed_channels_orders_is_queued_with_it(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        order_id = await _subscribed_order(runtime)
        unsubscribed = await place(runtime, a_place_command(channel="other-shop"))

        await _released(runtime, order_id)
        await _released(runtime, unsubscribed)

        queued = await _queued(runtime)
        assert [(row["order_id"], row["status"]) for row in queued] == [
            (str(order_id), "pending"),
            (str(order_id), "released"),
        ]
        envelopes = [Envelope.from_json(cloudevent(row)) for row in queued]
        assert [e.data["previous_status"] for e in envelopes] == [None, "pending"]
        assert [e.aggregate_version for e in envelopes] == [row["sequence"] for row in queued]
        assert queued[0]["sequence"] < queued[1]["sequence"]
        assert [str(e.event_id) for e in envelopes] == [row["delivery_id"] for row in queued]
        for envelope in envelopes:
            assert _invalid(envelope.to_cloudevent()) == []


def _invalid(document: dict[str, Any]) -> list[str]:
    """What the published contract (schemas/) finds wrong with a webhook's CloudEvent."""
    problems = []
    for schema, part in (("envelope.v1.json", document), (EVENT_SCHEMA, document["data"])):
        validator = Draft202012Validator(json.loads((SCHEMAS / schema).read_text()))
        problems += [error.message for error in validator.iter_errors(part)]
    return problems


async def test_a_change_recorded_as_several_events_is_told_once_as_where_it_ended(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        order_id = await _subscribed_order(runtime)
        answer = {"order_id": str(order_id), "customer_id": "acme", "amount_cents": 2_000}
        stock = {"order_id": str(order_id), "sku": "CLOCK", "quantity": 2, "reserved_total": 2}

        await deliver(runtime, "StockReserved", stock)
        review = {**answer, "reason": "over the threshold", "exposure_cents": 0}
        await deliver(runtime, "CreditReviewRequired", review)  # the answer, then its hold
        await deliver(runtime, "CreditApproved", {**answer, "exposure_cents": 2_000})

        changes = [Envelope.from_json(cloudevent(row)).data for row in await _queued(runtime)]
        assert [(c["previous_status"], c["status"]) for c in changes] == [
            (None, "pending"),
            ("pending", "on_hold"),
            ("on_hold", "released"),  # the hold lifted and the release: one decision
        ]
        assert [c["holds"] for c in changes] == [[], ["credit_review"], []]


async def test_a_read_model_rebuild_queues_nothing_again(tmp_path: Path) -> None:
    async with order_service(tmp_path) as runtime:
        await _released(runtime, await _subscribed_order(runtime))
        before = await _queued(runtime)

        await rebuild_read_models(runtime.db, DEFINITION)

        assert len(before) == 2
        assert await _queued(runtime) == before


async def test_deliveries_are_signed_with_the_channels_secret_and_keep_each_orders_order(
    tmp_path: Path,
) -> None:
    receiver = Receiver()
    sender = WebhookSender(FAST, transport=httpx.MockTransport(receiver))
    async with order_service(tmp_path) as runtime, http_client(runtime) as client:
        await define(runtime)
        await client.put("/v1/webhooks/shop", json={"url": HOOK}, headers=auth("shop"))
        secret = (await client.get("/v1/webhooks/shop/secret", headers=auth("shop"))).json()[
            "secret"
        ]
        first = await place(runtime, a_place_command(channel="shop"))
        second = await place(runtime, a_place_command(channel="shop"))
        await _released(runtime, first)

        await sender.send_all_due(runtime.db, runtime.clock)

        assert sorted(receiver.statuses()) == sorted(
            [(str(first), "pending"), (str(first), "released"), (str(second), "pending")]
        )
        assert [s for o, s in receiver.statuses() if o == str(first)] == ["pending", "released"]
        for request in receiver.requests:
            assert str(request.url) == HOOK
            assert request.headers["content-type"] == "application/cloudevents+json"
            assert _verified(secret, request)
            OrderStatusCloudEvent.model_validate_json(request.content)  # as OpenAPI documents it
        assert {r["state"] for r in await _queued(runtime)} == {"delivered"}


def _verified(secret: str, request: httpx.Request) -> bool:
    """The receiver's side of Standard Webhooks, written out: recompute and compare."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode()
    digest = hmac.new(key, signed + request.content, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(digest).decode()
    return hmac.compare_digest(expected, request.headers["webhook-signature"])


async def test_a_failing_endpoint_is_retried_then_parked_holding_back_the_orders_later_changes(
    tmp_path: Path,
) -> None:
    receiver = Receiver()
    receiver.status = 503
    sender = WebhookSender(FAST, transport=httpx.MockTransport(receiver))
    clock = FrozenClock(NOW)
    async with order_service(tmp_path, clock) as runtime:
        order_id = await _subscribed_order(runtime)
        await _released(runtime, order_id)

        await sender.send_all_due(runtime.db, clock)
        early = await sender.send_round(runtime.db, clock)  # the retry is not due yet
        clock.advance(timedelta(seconds=10))
        await sender.send_all_due(runtime.db, clock)
        clock.advance(timedelta(seconds=15))
        await sender.send_all_due(runtime.db, clock)
        clock.advance(timedelta(hours=1))
        await sender.send_all_due(runtime.db, clock)

        assert early == 0
        assert receiver.statuses() == [(str(order_id), "pending")] * 3
        head, later = await _queued(runtime)
        assert (head["state"], head["attempts"], head["last_error"]) == ("parked", 3, "HTTP 503")
        assert (later["state"], later["attempts"]) == ("pending", 0)


async def test_a_redrive_sends_the_parked_deliveries_once_and_then_what_they_held_back(
    tmp_path: Path,
) -> None:
    receiver = Receiver()
    receiver.status = 500
    sender = WebhookSender(
        FAST.model_copy(update={"attempts": 1}), transport=httpx.MockTransport(receiver)
    )
    async with order_service(tmp_path) as runtime, http_client(runtime) as client:
        order_id = await _subscribed_order(runtime)
        await _released(runtime, order_id)
        await sender.send_all_due(runtime.db, runtime.clock)
        parked = (
            await client.get("/v1/webhooks/shop/deliveries?state=parked", headers=auth("ops"))
        ).json()
        overview = (await client.get("/v1/webhooks", headers=auth("ops"))).json()
        receiver.status, receiver.requests = 200, []

        redriven = await client.post("/v1/webhooks/shop/deliveries/redrive", headers=auth("ops"))
        again = await client.post("/v1/webhooks/shop/deliveries/redrive", headers=auth("ops"))
        await sender.send_all_due(runtime.db, runtime.clock)
        one_more = await client.post(
            f"/v1/webhooks/shop/deliveries/{parked[0]['delivery_id']}/redrive", headers=auth("ops")
        )
        await sender.send_all_due(runtime.db, runtime.clock)

        assert [(d["status"], d["attempts"]) for d in parked] == [("pending", 1)]
        assert [(w["channel"], w["parked"], w["pending"]) for w in overview] == [("shop", 1, 1)]
        assert (redriven.json(), again.json()) == ({"redriven": 1}, {"redriven": 0})
        assert receiver.statuses() == [(str(order_id), "pending"), (str(order_id), "released")]
        assert one_more.status_code == 409
        assert one_more.headers["content-type"] == "application/problem+json"


async def test_a_webhook_needs_an_http_url_and_is_the_channels_own(tmp_path: Path) -> None:
    async with order_service(tmp_path) as runtime, http_client(runtime) as client:
        bad = [
            await client.put("/v1/webhooks/shop", json={"url": url}, headers=auth("shop"))
            for url in (
                "ftp://shop.example/x",
                "not a url",
                "",
                "https://" + "a" * 2000,
                "https://shop.example/" + "é" * 400,  # 2,400 characters once encoded
            )
        ]
        created = await client.put("/v1/webhooks/shop", json={"url": HOOK}, headers=auth("shop"))
        others = [
            await client.get("/v1/webhooks/shop", headers=auth("other-shop")),
            await client.get("/v1/webhooks/shop/secret", headers=auth("other-shop")),
            await client.post("/v1/webhooks/shop/deliveries/redrive", headers=auth("other-shop")),
        ]
        staff = await client.get("/v1/webhooks/shop", headers=auth("staff"))
        own = [
            (await client.get("/v1/webhooks", headers=auth(name))).json()
            for name in ("shop", "other-shop")
        ]
        secret = (await client.get("/v1/webhooks/shop/secret", headers=auth("ops"))).json()
        rotated = (
            await client.post("/v1/webhooks/shop/secret/rotate", headers=auth("shop"))
        ).json()
        now = (await client.get("/v1/webhooks/shop/secret", headers=auth("shop"))).json()

        assert [r.status_code for r in bad] == [422] * 5
        assert all(r.headers["content-type"] == "application/problem+json" for r in bad)
        assert bad[0].json()["errors"][0]["field"] == "url"
        assert (created.status_code, created.json()["url"], created.json()["parked"]) == (
            200,
            HOOK,
            0,
        )
        assert [r.status_code for r in others] == [404, 404, 404]
        assert staff.status_code == 403
        assert [[w["channel"] for w in listed] for listed in own] == [["shop"], []]
        assert secret["secret"].startswith("whsec_")
        assert rotated != secret
        assert now == rotated


class SlowReceiver(Receiver):
    """Takes a while to answer, so that two senders' rounds overlap."""

    async def __call__(self, request: httpx.Request) -> httpx.Response:  # type: ignore[override]
        await asyncio.sleep(0.01)
        return super().__call__(request)


@pytest.mark.integration
async def test_order_processes_on_postgres_send_each_delivery_once_in_each_orders_order(
    postgres_dsn: str, tmp_path: Path
) -> None:
    settings = ServiceSettings(database_url=postgres_dsn, namespace=f"w{uuid4().hex[:8]}")
    receiver = SlowReceiver()
    senders = [
        WebhookSender(
            FAST.model_copy(update={"in_flight": 4}), transport=httpx.MockTransport(receiver)
        )
        for _ in range(3)
    ]
    try:
        async with order_service(tmp_path, settings=settings) as runtime:
            await define(runtime)
            await runtime.send(RegisterWebhook(channel="shop", url=HOOK))
            orders = [await place(runtime, a_place_command(channel="shop")) for _ in range(30)]
            for order_id in orders:
                await _released(runtime, order_id)

            await asyncio.gather(*(s.send_all_due(runtime.db, runtime.clock) for s in senders))

            ids = Counter(r.headers["webhook-id"] for r in receiver.requests)
            assert len(ids) == 60
            assert set(ids.values()) == {1}
            for order_id in orders:
                told = [s for o, s in receiver.statuses() if o == str(order_id)]
                assert told == ["pending", "released"]
    finally:
        async with (
            order_service(tmp_path, settings=settings) as runtime,
            runtime.db.transaction() as conn,
        ):
            await conn.execute(f'DROP SCHEMA "{settings.schema_for("order")}" CASCADE')

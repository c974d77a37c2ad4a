"""A channel's webhook, on a test server on 127.0.0.1, receives every status change of the
channel's orders as a signed CloudEvent; while the server is down the deliveries are retried and
then parked, and a redrive delivers them once, in order."""

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import uuid4

import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_http_event

from tests.e2e.clients import Api, eventually
from tests.e2e.stack import free_port

pytestmark = pytest.mark.e2e

# The channel of the stack's `channel_key` (shared.auth.create_credentials).
CHANNEL = "demo-shop"


class Receiver:
    """The channel's webhook endpoint: records every request it is sent, answers 204."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/orders"

    def start(self) -> None:
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers["content-length"]))
                requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Down: connections to the port are refused from now on."""
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def changes_of(self, order_id: str) -> list[dict[str, Any]]:
        """The CloudEvents received about one order, in the order they arrived."""
        documents = [json.loads(body) for _, body in list(self.requests)]
        return [d for d in documents if d["subject"] == order_id]


@asynccontextmanager
async def webhook(api: Api) -> AsyncIterator[tuple[Receiver, str]]:
    """The channel's webhook on a running receiver, and its secret; removed afterwards."""
    receiver = Receiver()
    receiver.start()
    path = f"/v1/webhooks/{CHANNEL}"
    registered = await api.request("PUT", path, role="channel", json={"url": receiver.url})
    assert registered.status_code == 200, registered.text
    secret = await api.request("GET", f"{path}/secret", role="channel")
    try:
        yield receiver, secret.json()["secret"]
    finally:
        await api.request("DELETE", path, role="channel")
        receiver.stop()


def _verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does with Standard Webhooks: recompute the signature and compare."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, headers["webhook-signature"])


def _told(changes: list[dict[str, Any]]) -> list[str]:
    return [change["data"]["status"] for change in changes]


async def _placed(api: Api) -> tuple[str, str]:
    """A new order that goes all the way: its id and the status its 202 answer gave."""
    customer = await api.new_customer("hook")
    sku = await api.new_item("hook", stock=5)
    answer = await api.post_order(api.order_body(customer, [(sku, 1)]), key=str(uuid4()))
    assert answer.status_code == 202, answer.text
    return answer.json()["order_id"], answer.json()["status"]


async def test_every_status_change_of_the_channels_orders_arrives_signed_and_in_order(
    api: Api,
) -> None:
    async with webhook(api) as (receiver, secret):
        order_id, at_intake = await _placed(api)

        await api.complete(order_id)

        async def completed_told() -> list[dict[str, Any]]:
            changes = receiver.changes_of(order_id)
            assert _told(changes)[-1:] == ["completed"], _told(changes)
            return changes

        changes = await eventually(completed_told, timeout=30, interval=0.2)
    told = _told(changes)
    assert told[0] == at_intake
    assert {"released", "shipped"} <= set(told)
    assert [c["data"]["previous_status"] for c in changes] == [None, *told[:-1]]
    versions = [c["aggregateversion"] for c in changes]
    assert versions == sorted(set(versions))
    for headers, body in receiver.requests:
        assert headers["content-type"] == "application/cloudevents+json"
        assert _verified(secret, headers, body)
        event = from_http_event(HTTPMessage(headers=headers, body=body))
        assert event.get_type() == "io.gapless.OrderStatusChanged"
        assert event.get_id() == headers["webhook-id"]
    ids = [headers["webhook-id"] for headers, _ in receiver.requests]
    assert len(ids) == len(set(ids))


async def test_deliveries_to_a_server_that_is_down_are_parked_and_a_redrive_delivers_them_once(
    api: Api,
) -> None:
    deliveries = f"/v1/webhooks/{CHANNEL}/deliveries"
    async with webhook(api) as (receiver, _):
        receiver.stop()
        order_id, _ = await _placed(api)
        await api.wait_for_status(order_id, "shipped", within=60)

        async def parked() -> list[dict[str, Any]]:
            listed = await api.request("GET", deliveries, role="ops", params={"limit": 500})
            mine = [d for d in listed.json() if d["order_id"] == order_id]
            assert [d["state"] for d in mine][-1:] == ["parked"], mine
            return mine

        mine = sorted(
            await eventually(parked, timeout=30, interval=0.2), key=lambda d: d["sequence"]
        )
        receiver.start()
        redriven = await api.request("POST", f"{deliveries}/redrive", role="ops")

        async def shipped_told() -> list[dict[str, Any]]:
            changes = receiver.changes_of(order_id)
            assert _told(changes)[-1:] == ["shipped"], _told(changes)
            return changes

        changes = await eventually(shipped_told, timeout=30, interval=0.2)
        again = await api.request("POST", f"{deliveries}/redrive", role="ops")
        listed = (
            await api.request("GET", deliveries, role="channel", params={"limit": 500})
        ).json()

    head, *held_back = mine
    assert (head["state"], head["attempts"], head["last_error"] is not None) == ("parked", 3, True)
    assert [(d["state"], d["attempts"]) for d in held_back] == [("pending", 0)] * len(held_back)
    assert redriven.json()["redriven"] >= 1
    assert _told(changes) == [d["status"] for d in mine]
    assert [c["id"] for c in changes] == [d["delivery_id"] for d in mine]
    assert again.json() == {"redriven": 0}
    assert {d["state"] for d in listed if d["order_id"] == order_id} == {"delivered"}

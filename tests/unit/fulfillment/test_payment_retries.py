"""A payment retried after a timeout is recorded once: the same Idempotency-Key and body get
the first answer; the key with another body, or no key at all, is refused."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.unit.fulfillment.harness import OPS_KEY, Harness
from tests.unit.fulfillment.test_fulfillment_api import a_shipped_order


@pytest.fixture
async def invoice_id(service: Harness) -> str:
    """The invoice every test pays: of an order that shipped, 12,498 cents."""
    _, invoice_id = await a_shipped_order(service)
    return invoice_id


def keyed(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {OPS_KEY}", "Idempotency-Key": key}


async def pay(client: httpx.AsyncClient, body: dict[str, Any], key: str) -> httpx.Response:
    """A payment sent with `key` as its Idempotency-Key, as a client retrying it does."""
    return await client.post("/v1/payments", json=body, headers=keyed(key))


async def paid_cents(client: httpx.AsyncClient, invoice_id: str) -> int:
    invoices = await client.get("/v1/invoices", headers=keyed("read"))
    [invoice] = [i for i in invoices.json() if i["invoice_id"] == invoice_id]
    return int(invoice["paid_cents"])


async def test_a_retried_payment_takes_effect_once_and_gets_the_first_answer(
    client: httpx.AsyncClient, invoice_id: str
) -> None:
    body = {"invoice_id": invoice_id, "amount_cents": 1_000}

    first = await pay(client, body, "pay-1")
    retry = await pay(client, body, "pay-1")

    assert first.status_code == retry.status_code == 201, retry.text
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert await paid_cents(client, invoice_id) == 1_000


async def test_concurrent_retries_of_one_payment_take_effect_once(
    client: httpx.AsyncClient, invoice_id: str
) -> None:
    body = {"invoice_id": invoice_id, "amount_cents": 500}

    answers = await asyncio.gather(*(pay(client, body, "pay-2") for _ in range(5)))

    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert await paid_cents(client, invoice_id) == 500


async def test_a_key_reused_for_another_payment_or_a_missing_key_is_refused(
    client: httpx.AsyncClient, invoice_id: str
) -> None:
    body = {"invoice_id": invoice_id, "amount_cents": 700}
    await pay(client, body, "pay-3")

    other = await pay(client, {**body, "amount_cents": 800}, "pay-3")
    missing = await client.post(
        "/v1/payments", json=body, headers={"Authorization": f"Bearer {OPS_KEY}"}
    )

    assert other.status_code == 422, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert missing.status_code == 400, missing.text
    assert missing.json()["errors"][0]["field"] == "header.Idempotency-Key"
    assert await paid_cents(client, invoice_id) == 700


async def test_a_refused_payment_keeps_no_answer_so_a_corrected_retry_is_not_blocked(
    client: httpx.AsyncClient, invoice_id: str
) -> None:
    key = str(uuid4())

    too_much = await pay(client, {"invoice_id": invoice_id, "amount_cents": 10**9}, key)
    again = await pay(client, {"invoice_id": invoice_id, "amount_cents": 10**9}, key)

    assert too_much.status_code == again.status_code == 422
    assert await paid_cents(client, invoice_id) == 0


async def test_a_retry_after_the_first_attempt_died_unanswered_reads_the_answer_back(
    service: Harness, client: httpx.AsyncClient, invoice_id: str
) -> None:
    body = {"invoice_id": invoice_id, "amount_cents": 900}
    await pay(client, body, "pay-4")
    # As if the process died between committing the payment and storing its answer.
    async with service.runtime.db.transaction() as conn:
        await conn.execute(
            "UPDATE idempotent_request SET status = NULL, body = NULL, created_at = $1"
            " WHERE key = 'pay-4'",
            datetime.now(UTC) - timedelta(minutes=1),
        )

    retry = await pay(client, body, "pay-4")

    assert retry.status_code == 201, retry.text
    assert (retry.json()["paid_cents"], retry.json()["open_cents"]) == (900, 12_498 - 900)
    assert await paid_cents(client, invoice_id) == 900


async def test_a_retry_arriving_before_the_first_answer_is_stored_waits_for_that_answer(
    service: Harness, client: httpx.AsyncClient, invoice_id: str
) -> None:
    body = {"invoice_id": invoice_id, "amount_cents": 400}
    first = await pay(client, body, "pay-5")
    # As in the moment between the first attempt's commit and the storing of its answer.
    async with service.runtime.db.transaction() as conn:
        kept = await conn.fetchrow(
            "SELECT status, body FROM idempotent_request WHERE key = 'pay-5'"
        )
        await conn.execute(
            "UPDATE idempotent_request SET status = NULL, body = NULL WHERE key = 'pay-5'"
        )

    async def answer_stored() -> None:
        await asyncio.sleep(0.3)
        async with service.runtime.db.transaction() as conn:
            await conn.execute(
                "UPDATE idempotent_request SET status = $1, body = $2 WHERE key = 'pay-5'",
                kept["status"],
                kept["body"],
            )

    retry, _ = await asyncio.gather(pay(client, body, "pay-5"), answer_stored())

    assert retry.status_code == 201, retry.text
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert await paid_cents(client, invoice_id) == 400

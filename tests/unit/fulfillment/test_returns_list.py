"""GET /v1/returns pages by cursor both ways, filters, refuses bad cursors and feeds changes."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest

from services.fulfillment.service import DEFINITION
from shared.clock import FrozenClock
from shared.paging import encode
from shared.testing.feeds import drain, drain_at_least, follow
from tests.unit.fulfillment.builders import ORDER_EVENTS
from tests.unit.fulfillment.harness import NOW, Harness, as_ops, as_staff, harness
from tests.unit.fulfillment.test_fulfillment_api import a_shipped_order


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
async def service(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """Every test on both runtimes' databases (PostgreSQL only where its server runs)."""
    dsn = request.getfixturevalue("postgres_dsn") if request.param == "postgres" else ""
    async with harness(DEFINITION, tmp_path, postgres_dsn=dsn) as running:
        yield running


async def authorise(service: Harness, order_id: UUID, *, step: timedelta = timedelta(0)) -> str:
    """A return of one RETRO-CLOCK the order service authorised, `step` after the last one."""
    assert isinstance(service.clock, FrozenClock)
    service.clock.advance(step)
    return_id = str(uuid4())
    recorded = {
        "order_id": str(order_id),
        "return_no": 1,
        "lines": [{"sku": "RETRO-CLOCK", "quantity": 1}],
        "reason": "cracked",
        "return_id": return_id,
    }
    await service.deliver(ORDER_EVENTS, "ReturnRecorded", recorded, order_id=order_id)
    return return_id


async def receive(client: httpx.AsyncClient, return_id: str) -> None:
    line = {"sku": "RETRO-CLOCK", "quantity": 1, "disposition": "restock"}
    receipt = await client.post(
        f"/v1/returns/{return_id}/receipt", json={"lines": [line]}, headers=as_ops()
    )
    assert receipt.status_code == 201, receipt.text


async def test_returns_page_by_cursor_newest_first_or_oldest_first_each_once(
    service: Harness, client: httpx.AsyncClient
) -> None:
    # Three share one authorisation time: the return id breaks the tie across pages.
    steps = [timedelta(0), timedelta(0), timedelta(0), timedelta(minutes=1), timedelta(minutes=1)]
    returns = [await authorise(service, uuid4(), step=step) for step in steps]

    newest_first, requests = await follow(client, "/v1/returns?limit=2", as_staff())
    oldest_first, _ = await follow(client, "/v1/returns?limit=2&order=asc", as_staff())

    ids = [row["return_id"] for row in newest_first]
    assert requests == 3
    assert sorted(ids) == sorted(returns)
    assert ids[0] == returns[-1]
    assert [row["return_id"] for row in oldest_first] == list(reversed(ids))


async def test_returns_filter_by_order_status_and_authorisation_time(
    service: Harness, client: httpx.AsyncClient
) -> None:
    order_id, _ = await a_shipped_order(service)
    first = await authorise(service, order_id)
    others = [await authorise(service, uuid4(), step=timedelta(minutes=1)) for _ in range(3)]
    await receive(client, first)
    window = {"from": (NOW + timedelta(minutes=2)).isoformat()}
    window["to"] = (NOW + timedelta(minutes=3, seconds=1)).isoformat()

    of_order, _ = await follow(client, f"/v1/returns?order_id={order_id}", as_staff())
    received, _ = await follow(client, "/v1/returns?status=received&limit=1", as_staff())
    authorised, _ = await follow(client, "/v1/returns?status=authorised&limit=1", as_staff())
    in_window, _ = await follow(client, str(httpx.URL("/v1/returns", params=window)), as_staff())

    assert [(row["return_id"], row["status"]) for row in of_order] == [(first, "received")]
    assert [row["return_id"] for row in received] == [first]
    assert [row["return_id"] for row in authorised] == list(reversed(others))
    assert [row["return_id"] for row in in_window] == [others[2], others[1]]


async def test_the_returns_feed_shows_a_receipt_and_its_credit_note_once_then_nothing(
    service: Harness, client: httpx.AsyncClient
) -> None:
    order_id, invoice_id = await a_shipped_order(service)
    returns = [await authorise(service, order_id) for _ in range(3)]

    first, poll = await drain_at_least(client, "/v1/returns?updated_since=0&limit=2", as_staff(), 3)
    await receive(client, returns[1])
    changed, poll = await drain_at_least(client, poll, as_staff(), 1)
    quiet, _ = await drain(client, poll, as_staff())

    assert sorted(row["return_id"] for row in first) == sorted(returns)
    [received] = changed
    assert (received["return_id"], received["status"]) == (returns[1], "received")
    assert [note["invoice_id"] for note in received["credit_notes"]] == [invoice_id]
    assert quiet == []


async def test_a_bad_cursor_or_token_is_a_422_naming_it_and_a_feed_refuses_list_filters(
    service: Harness, client: httpx.AsyncClient
) -> None:
    await authorise(service, uuid4())
    foreign = encode(["invoices", "desc", NOW.isoformat(), "x"])

    answers = {
        "cursor": await client.get("/v1/returns?cursor=bm90LWEtY3Vyc29y", headers=as_staff()),
        "another list's cursor": await client.get(
            "/v1/returns", params={"cursor": foreign}, headers=as_staff()
        ),
        "updated_since": await client.get("/v1/returns?updated_since=bad", headers=as_staff()),
        "status": await client.get("/v1/returns?status=lost", headers=as_staff()),
    }
    refused = await client.get(
        "/v1/returns?updated_since=0&status=received&order=desc", headers=as_staff()
    )

    for name, answer in answers.items():
        assert answer.status_code == 422, (name, answer.text)
        assert answer.headers["content-type"] == "application/problem+json", name
    assert answers["cursor"].json()["errors"][0]["field"] == "query.cursor"
    assert answers["another list's cursor"].json()["errors"][0]["field"] == "query.cursor"
    assert answers["updated_since"].json()["errors"][0]["field"] == "query.updated_since"
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"query.status", "query.order"}


async def test_the_document_gives_the_returns_list_its_paging_parameters_and_link(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json", headers=as_ops())).json()

    listed = document["paths"]["/v1/returns"]["get"]

    names = {parameter["name"] for parameter in listed["parameters"]}
    assert {
        "limit",
        "order",
        "cursor",
        "updated_since",
        "order_id",
        "status",
        "from",
        "to",
    } <= names
    assert "Link" in listed["responses"]["200"]["headers"]

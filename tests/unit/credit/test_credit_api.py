"""The credit HTTP API: the review queue, ops decisions and accounts, on a SQLite database."""

from uuid import uuid4

import httpx
from credit_harness import CreditService, an_inbound, auth

from shared.bus.memory import MemoryBroker
from shared.envelope import Envelope
from shared.testing import eventually
from shared.testing.builders import a_message

OPS = auth("ops-key")
STAFF = auth("staff-key")


async def test_open_reviews_show_the_order_and_the_customer_s_standing_now(
    credit: CreditService, http: httpx.AsyncClient
) -> None:
    await credit.customer_defined("C-1", "yellow", limit=100_000, threshold=50_000)
    await credit.order_placed("C-1", 30_000)
    order = await credit.order_placed("C-1", 60_000)

    response = await http.get("/v1/credit/reviews", params={"open": "true"}, headers=STAFF)

    assert response.status_code == 200
    [review] = response.json()
    assert {k: review[k] for k in ("order_id", "customer_id", "amount_cents", "reason")} == {
        "order_id": str(order),
        "customer_id": "C-1",
        "amount_cents": 60_000,
        "reason": "over_review_threshold",
    }
    assert (review["exposure_cents"], review["credit_limit_cents"], review["credit_light"]) == (
        30_000,
        100_000,
        "yellow",
    )
    assert (review["status"], review["decision"], review["requested_at"]) == (
        "open",
        None,
        review["requested_at"],
    )


async def test_approving_a_review_approves_the_order_and_records_who_decided(
    credit: CreditService, http: httpx.AsyncClient
) -> None:
    await credit.customer_defined("C-2", "red")
    order = await credit.order_placed("C-2", 5_000)

    response = await http.post(
        f"/v1/credit/reviews/{order}/approve", json={"note": "paid upfront"}, headers=OPS
    )

    assert response.status_code == 200, response.text
    decided = response.json()
    assert (decided["decision"], decided["note"], decided["decided_by"]) == (
        "approved",
        "paid upfront",
        "ops-anna",
    )
    [*_, approved] = await credit.published_envelopes()
    assert approved["type"] == "io.gapless.CreditApproved"
    assert approved["data"]["exposure_cents"] == 5_000
    assert approved["correlationid"] == str(order)  # keyed by the order on credit.events
    listed = (await http.get("/v1/credit/reviews?open=false", headers=STAFF)).json()
    assert [r["decision"] for r in listed] == ["approved"]
    assert (await http.get("/v1/credit/reviews", headers=STAFF)).json() == []


async def test_rejecting_a_review_declines_the_order(
    credit: CreditService, http: httpx.AsyncClient
) -> None:
    await credit.customer_defined("C-3", "red")
    order = await credit.order_placed("C-3", 5_000)

    response = await http.post(f"/v1/credit/reviews/{order}/reject", json={}, headers=OPS)

    assert response.status_code == 200, response.text
    assert response.json()["decision"] == "rejected"
    event_type, declined = (await credit.published())[-1]
    assert (event_type, declined["amount_cents"], declined["reason"]) == (
        "CreditDeclined",
        5_000,
        "rejected in credit review",
    )
    assert (await credit.account("C-3"))["exposure_cents"] == 0


async def test_a_review_already_decided_or_never_opened_is_a_conflict(
    credit: CreditService, http: httpx.AsyncClient
) -> None:
    await credit.customer_defined("C-4", "red")
    reviewed = await credit.order_placed("C-4", 5_000)
    await credit.customer_defined("C-5", "green")
    approved_at_once = await credit.order_placed("C-5", 5_000)
    await http.post(f"/v1/credit/reviews/{reviewed}/approve", json={}, headers=OPS)

    again = await http.post(f"/v1/credit/reviews/{reviewed}/reject", json={}, headers=OPS)
    never = await http.post(f"/v1/credit/reviews/{approved_at_once}/approve", json={}, headers=OPS)

    for response in (again, never):
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
    assert [t for t, _ in await credit.published()].count("CreditApproved") == 2


async def test_deciding_an_order_credit_does_not_know_is_not_found(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(f"/v1/credit/reviews/{uuid4()}/approve", json={}, headers=OPS)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_bad_decisions_are_refused_naming_the_field_and_change_nothing(
    credit: CreditService, http: httpx.AsyncClient
) -> None:
    await credit.customer_defined("C-6", "red")
    order = await credit.order_placed("C-6", 5_000)

    too_long = await http.post(
        f"/v1/credit/reviews/{order}/approve", json={"note": "x" * 1001}, headers=OPS
    )
    not_an_id = await http.post("/v1/credit/reviews/42/approve", json={}, headers=OPS)

    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["note"]
    assert not_an_id.status_code == 422
    assert len(await credit.reviews()) == 1


async def test_only_ops_decide_and_every_call_needs_a_key(
    credit: CreditService, http: httpx.AsyncClient
) -> None:
    await credit.customer_defined("C-7", "red")
    order = await credit.order_placed("C-7", 5_000)

    as_staff = await http.post(f"/v1/credit/reviews/{order}/approve", json={}, headers=STAFF)
    as_channel = await http.get("/v1/credit/reviews", headers=auth("channel-key"))
    anonymous = await http.get("/v1/credit/accounts/C-7")

    assert (as_staff.status_code, as_channel.status_code, anonymous.status_code) == (
        403,
        403,
        401,
    )
    assert len(await credit.reviews()) == 1


async def test_an_account_shows_light_limit_threshold_exposure_and_open_reviews(
    credit: CreditService, http: httpx.AsyncClient
) -> None:
    await credit.customer_defined("C-8", "yellow", limit=100_000, threshold=50_000)
    await credit.order_placed("C-8", 20_000)
    await credit.order_placed("C-8", 90_000)

    known = await http.get("/v1/credit/accounts/C-8", headers=STAFF)
    unknown = await http.get("/v1/credit/accounts/C-nobody", headers=STAFF)

    assert known.json() == {
        "customer_id": "C-8",
        "credit_light": "yellow",
        "credit_limit_cents": 100_000,
        "review_threshold_cents": 50_000,
        "exposure_cents": 20_000,
        "open_reviews": 1,
        "decided_orders": 2,
    }
    assert unknown.status_code == 200
    assert (unknown.json()["credit_light"], unknown.json()["exposure_cents"]) == (None, 0)


async def test_the_running_service_answers_an_order_on_its_topic_once_despite_redelivery(
    credit: CreditService,
) -> None:
    runtime = credit.runtime
    broker = runtime.broker
    assert isinstance(broker, MemoryBroker) and broker.redeliver
    customer = {
        "customer_id": "C-9",
        "name": "Nine",
        "credit_light": "green",
        "credit_limit_cents": 0,
        "review_threshold_cents": 0,
        "tier": "vip",
    }
    order_id = uuid4()
    placed = {"order_id": str(order_id), "customer_id": "C-9", "total_cents": 4_200}
    await broker.publish(
        [
            a_message("order.events", an_inbound("CustomerDefined", customer)),
            a_message("order.events", an_inbound("OrderPlaced", placed)),
        ]
    )

    await runtime.start()

    async def answered() -> list[Envelope]:
        records = broker.topics.get("credit.events", [])
        envelopes = [Envelope.from_json(r.value) for r in records]
        assert [e.event_type for e in envelopes] == ["CreditApproved"]
        return envelopes

    [approved] = await eventually(answered)
    assert approved.data["order_id"] == str(order_id)
    assert approved.partition_key == str(order_id)

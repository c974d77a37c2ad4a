"""Order intake: idempotency keys, validation naming every bad field, nothing stored on refusal."""

import asyncio
from uuid import uuid4

import pytest

from tests.e2e.clients import Api

pytestmark = pytest.mark.e2e


def _fields(response_json: dict[str, object]) -> set[str]:
    errors = response_json.get("errors")
    assert isinstance(errors, list), response_json
    return {str(error["field"]) for error in errors}


async def _processed_marker(api: Api, sku: str) -> None:
    """A valid order for `sku`, once reserved: a barrier after which a refused one would show."""
    customer = await api.new_customer("marker")
    order_id = await api.place_order(customer, [(sku, 1)])
    await api.wait_for_order(order_id, lambda o: o["lines"][0]["reserved"] == 1)


async def test_an_order_without_an_idempotency_key_is_refused_with_400(api: Api) -> None:
    customer = await api.new_customer()
    sku = await api.new_item(stock=5)

    response = await api.post_order(api.order_body(customer, [(sku, 1)]), key=None)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await api.orders(customer_id=customer) == []


async def test_the_same_key_and_body_answers_the_first_response_again_with_one_order(
    api: Api,
) -> None:
    customer = await api.new_customer()
    sku = await api.new_item(stock=5)
    body, key = api.order_body(customer, [(sku, 2)]), str(uuid4())

    first = await api.post_order(body, key=key)
    again = await api.post_order(body, key=key)

    assert (first.status_code, again.status_code) == (202, 202), again.text
    assert again.json()["order_id"] == first.json()["order_id"]
    assert again.json()["status_url"] == first.json()["status_url"]
    assert [o["order_id"] for o in await api.orders(customer_id=customer)] == [
        first.json()["order_id"]
    ]


async def test_the_same_key_with_another_body_is_refused_with_422(api: Api) -> None:
    customer = await api.new_customer()
    sku = await api.new_item(stock=5)
    key = str(uuid4())
    first = await api.post_order(api.order_body(customer, [(sku, 1)]), key=key)

    other = await api.post_order(api.order_body(customer, [(sku, 3)]), key=key)

    assert first.status_code == 202, first.text
    assert other.status_code == 422, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert len(await api.orders(customer_id=customer)) == 1


async def test_two_concurrent_requests_with_one_key_create_one_order(api: Api) -> None:
    customer = await api.new_customer()
    sku = await api.new_item(stock=20)
    body, key = api.order_body(customer, [(sku, 1)]), str(uuid4())

    responses = await asyncio.gather(*(api.post_order(body, key=key) for _ in range(4)))

    # The idempotency-key draft lets a request that overlaps one in flight get 409; never a twin.
    accepted = [r for r in responses if r.status_code == 202]
    assert accepted, [r.text for r in responses]
    assert all(r.status_code in (202, 409) for r in responses), [r.text for r in responses]
    assert len({r.json()["order_id"] for r in accepted}) == 1
    orders = await api.orders(customer_id=customer)
    assert [o["order_id"] for o in orders] == [accepted[0].json()["order_id"]]


async def test_bad_input_is_refused_with_422_naming_each_bad_field_and_stores_nothing(
    api: Api,
) -> None:
    customer = await api.new_customer()
    sku = await api.new_item(stock=5)
    body = api.order_body(customer, [(sku, 0), ("", 1)])
    del body["ship_to"]["postal_code"]

    response = await api.post_order(body, key=str(uuid4()))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert {"lines.0.quantity", "lines.1.sku", "ship_to.postal_code"} <= _fields(response.json())
    await _processed_marker(api, sku)
    assert await api.orders(customer_id=customer) == []
    assert (await api.stock(sku))["reserved"] == 1


async def test_an_unknown_sku_is_refused_with_422_and_stores_nothing(api: Api) -> None:
    customer = await api.new_customer()
    sku = await api.new_item(stock=5)
    unknown = f"NO-SUCH-{uuid4().hex[:8]}".upper()

    response = await api.post_order(
        api.order_body(customer, [(sku, 1), (unknown, 1)]), key=str(uuid4())
    )

    assert response.status_code == 422, response.text
    assert _fields(response.json()) == {"lines.1.sku"}
    await _processed_marker(api, sku)
    assert await api.orders(customer_id=customer) == []
    assert (await api.stock(sku))["reserved"] == 1


async def test_an_unknown_customer_is_refused_with_422_and_stores_nothing(api: Api) -> None:
    sku = await api.new_item(stock=5)
    unknown = f"nobody-{uuid4().hex[:8]}"

    response = await api.post_order(api.order_body(unknown, [(sku, 1)]), key=str(uuid4()))

    assert response.status_code == 422, response.text
    assert _fields(response.json()) == {"customer_id"}
    await _processed_marker(api, sku)
    assert await api.orders(customer_id=unknown) == []
    assert (await api.stock(sku))["reserved"] == 1

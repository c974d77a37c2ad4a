"""schemathesis against the running product: its OpenAPI documents are held to what it answers.

Stateless: every operation of every service gets generated valid and invalid requests. Stateful:
orders are placed with the customer and SKUs this test defined (random ones would all be 422),
then followed through the OpenAPI links (read, change, cancel, confirm, return). Both runs use a
fixed seed and a bounded number of examples; the checks are schemathesis's defaults: no 5xx, only
documented status codes, content types and headers, bodies valid against the response schemas.
"""

import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.e2e.conftest import running_stack
from tests.e2e.stack import SERVICES, Stack

pytestmark = pytest.mark.e2e

CUSTOMER = "FUZZ-CUSTOMER"
SKUS = ("FUZZ-CLOCK", "FUZZ-LAMP", "FUZZ-KETTLE")
STATELESS = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
STATEFUL = settings(
    max_examples=25,
    stateful_step_count=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _define_catalogue(stack: Stack) -> None:
    """A customer and SKUs with plenty of stock and credit: valid orders go all the way."""
    ops = {"Authorization": f"Bearer {stack.keys['ops_key']}"}
    customer = {
        "name": "Fuzz Customer",
        "credit_light": "green",
        "credit_limit_cents": 10**11,
        "review_threshold_cents": 10**10,
    }
    responses = [httpx.put(stack.url_for(f"/v1/customers/{CUSTOMER}"), json=customer, headers=ops)]
    for sku in SKUS:
        item = {"name": sku.title(), "unit_price_cents": 1_000}
        responses.append(httpx.put(stack.url_for(f"/v1/items/{sku}"), json=item, headers=ops))
        responses.append(
            httpx.post(
                stack.url_for(f"/v1/inventory/{sku}/receipts"),
                json={"quantity": 1_000_000},
                headers={**ops, "Idempotency-Key": f"fuzz-{sku}"},
            )
        )
    assert all(r.status_code in (202, 204) for r in responses), [r.text for r in responses]


@pytest.fixture(scope="module", params=["embedded", "scaleout"])
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with running_stack(request.param, tmp_path_factory.mktemp(f"fuzz-{request.param}")) as stack:
        _define_catalogue(stack)
        yield stack


def _documents(stack: Stack) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(name, base url, OpenAPI document) of each process that serves HTTP."""
    names = ["embedded"] if stack.target == "embedded" else list(SERVICES)
    ops = {"Authorization": f"Bearer {stack.keys['ops_key']}"}
    for name in names:
        url = stack.processes[name].url
        response = httpx.get(f"{url}/openapi.json", headers=ops, timeout=10)
        assert response.status_code == 200, response.text
        yield name, url, response.json()


def _schema(document: dict[str, Any], url: str, key: str) -> OpenApiSchema:
    # The key is given for the documented Bearer scheme, so schemathesis also checks that the
    # same requests without it, or with a wrong one, are refused.
    # Stateful runs follow the documented links only: inferred ones start from a cancel with a
    # random order id instead of from placing an order.
    config = SchemathesisConfig.from_dict(
        {
            "base-url": url,
            "auth": {"openapi": {"ApiKey": {"bearer": key}}},
            "phases": {"stateful": {"inference": {"algorithms": []}}},
            # A well-formed request may name a customer or SKU that does not exist: SPEC's 422.
            "checks": {"positive_data_acceptance": {"enabled": False}},
        }
    )
    return schemathesis.openapi.from_dict(document, config=config)


def _with_known_names(case: Case) -> None:
    """Half of the valid orders name the defined customer and SKUs, so they are accepted."""
    body = case.body
    meta = case.meta
    if meta is not None and meta.generation.mode is not GenerationMode.POSITIVE:
        return  # an invalid request must stay invalid
    if not isinstance(body, dict) or random.Random(str(body)).random() < 0.5:
        return
    if case.operation.method.upper() == "POST" and case.operation.path == "/v1/orders":
        body["customer_id"] = CUSTOMER
    lines = body.get("lines")
    if isinstance(lines, list):
        for index, line in enumerate(lines[: len(SKUS)]):
            if isinstance(line, dict):
                line["sku"] = SKUS[index]
                line["quantity"] = 1 + index
        del lines[len(SKUS) :]


def _stateless(schema: OpenApiSchema) -> int:
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @STATELESS
            @given(case=operation.as_strategy(mode))
            def check(case: Case) -> None:
                nonlocal calls
                _with_known_names(case)
                case.call_and_validate()
                calls += 1

            check()
    return calls


def test_every_service_keeps_its_openapi_promises(fuzzed: Stack) -> None:
    for _, url, document in _documents(fuzzed):
        schema = _schema(document, url, fuzzed.keys["ops_key"])

        calls = _stateless(schema)

        assert calls > len(document["paths"])


def test_placed_orders_are_followed_through_their_links(fuzzed: Stack) -> None:
    placed: list[str] = []
    followed: list[str] = []
    name, url, document = next(d for d in _documents(fuzzed) if "/v1/orders" in d[2]["paths"])
    orders = _schema(document, url, fuzzed.keys["channel_key"]).include(path_regex="^/v1/orders")
    base = orders.as_state_machine()

    class OrderFlow(base):  # type: ignore[misc,valid-type]
        def before_call(self, case: Case) -> None:
            _with_known_names(case)

        def after_call(self, response: Any, case: Case) -> None:
            if response.status_code >= 300:
                return
            if case.operation.path == "/v1/orders" and case.operation.method == "post":
                placed.append(response.json()["order_id"])
            elif case.path_parameters and case.path_parameters.get("order_id") in placed:
                followed.append(f"{case.operation.method.upper()} {case.operation.path}")

    OrderFlow.run(settings=STATEFUL)

    assert placed, f"the stateful run on {name} placed no order"
    assert len(set(followed)) >= 3, f"placed orders were hardly followed: {sorted(set(followed))}"

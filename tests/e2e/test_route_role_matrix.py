"""Every documented route x every kind of caller (no key, unknown key, channel, other channel,
staff, ops), derived from the OpenAPI documents: each cell answers as the document says.

A caller the route admits is never refused for who it is (no 401 or 403); the requests carry
unknown ids and empty bodies, so they change nothing. Anyone else gets 401 (with its challenge)
or 403. A channel reads its own order; another channel cannot tell it exists (404).
"""

from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.e2e.clients import Api
from tests.e2e.stack import SERVICES, Stack

pytestmark = pytest.mark.e2e

CALLERS = ("none", "unknown", "channel", "other_channel", "staff", "ops")
# The role each caller's key has.
ROLE = {"channel": "channel", "other_channel": "channel", "staff": "staff", "ops": "ops"}


def _operations(stack: Stack) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(base url, method, path, operation) of every documented operation of every process."""
    names = ["embedded"] if stack.target == "embedded" else list(SERVICES)
    found = []
    for name in names:
        url = stack.processes[name].url
        document = httpx.get(f"{url}/openapi.json", headers=_auth(stack, "ops"), timeout=10).json()
        for path, operations in document["paths"].items():
            found += [(url, method, path, operation) for method, operation in operations.items()]
    return found


def _auth(stack: Stack, caller: str) -> dict[str, str]:
    if caller == "none":
        return {}
    key = "gk_unknown_" + uuid4().hex if caller == "unknown" else stack.keys[f"{caller}_key"]
    return {"Authorization": f"Bearer {key}"}


def _request(
    url: str, method: str, path: str, operation: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            is_uuid = parameter["schema"].get("format") == "uuid"
            value = str(uuid4()) if is_uuid else f"MATRIX-{uuid4().hex[:6]}"
            path = path.replace("{" + parameter["name"] + "}", value)
        elif parameter["in"] == "header":
            headers = {**headers, parameter["name"]: str(uuid4())}
    body = {"json": {}} if "requestBody" in operation else {}
    return httpx.request(method, url + path, headers=headers, timeout=20, **body)


def _cell(stack: Stack, url: str, method: str, path: str, operation: dict[str, Any]) -> list[str]:
    """What is wrong in this route's row of the matrix (nothing, if all is well)."""
    wrong = []
    for caller in CALLERS:
        response = _request(url, method, path, operation, _auth(stack, caller))
        status = response.status_code
        if caller in ("none", "unknown"):
            challenge = response.headers.get("www-authenticate", "")
            if status != 401 or not challenge.startswith("Bearer"):
                wrong.append(f"{caller}: {status} {challenge!r}")
        elif ROLE[caller] in operation["x-roles"]:
            if status in (401, 403) or status >= 500:
                wrong.append(f"{caller} (admitted): {status} {response.text[:200]}")
        elif status != 403:
            wrong.append(f"{caller} (not admitted): {status}")
        if status >= 400 and response.headers["content-type"] != "application/problem+json":
            wrong.append(f"{caller}: {status} as {response.headers['content-type']}")
    return [f"{method.upper()} {path}: {w}" for w in wrong]


def test_every_route_answers_every_kind_of_caller_as_documented(stack: Stack) -> None:
    operations = _operations(stack)

    wrong = [w for operation in operations for w in _cell(stack, *operation)]

    assert len(operations) >= 30
    assert all("x-roles" in operation for *_, operation in operations)
    assert wrong == []


async def test_a_channel_reads_its_own_orders_and_no_other_channels(api: Api) -> None:
    customer = await api.new_customer("matrix")
    sku = await api.new_item("matrix", stock=5)
    order_id = await api.place_order(customer, [(sku, 1)])

    answers = {
        caller: await api.request("GET", f"/v1/orders/{order_id}", role=caller)
        for caller in ("channel", "other_channel", "staff", "ops")
    }

    assert {caller: r.status_code for caller, r in answers.items()} == {
        "channel": 200,
        "other_channel": 404,
        "staff": 200,
        "ops": 200,
    }

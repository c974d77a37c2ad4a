"""Small typed HTTP helpers for end-to-end scenarios, and polling for eventual outcomes."""

from typing import Any, Literal
from uuid import uuid4

import httpx

from shared.testing import eventually
from tests.e2e.stack import Stack

__all__ = ["Api", "eventually"]


Role = Literal["channel", "other_channel", "staff", "ops"]


class Api:
    """The product's HTTP API as a channel (orders) and as ops (everything else) would use it."""

    def __init__(self, stack: Stack, client: httpx.AsyncClient) -> None:
        self.stack = stack
        self.client = client
        self.keys = stack.keys

    async def request(
        self, method: str, path: str, *, role: Role = "ops", **kwargs: Any
    ) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {self.keys[f'{role}_key']}",
            **kwargs.pop("headers", {}),
        }
        return await self.client.request(
            method, self.stack.url_for(path), headers=headers, **kwargs
        )

    async def define_item(self, sku: str, *, price_cents: int = 1_000) -> None:
        response = await self.request(
            "PUT", f"/v1/items/{sku}", json={"name": sku.title(), "unit_price_cents": price_cents}
        )
        assert response.status_code == 204, response.text

    async def receive(self, sku: str, quantity: int) -> None:
        response = await self.request(
            "POST", f"/v1/inventory/{sku}/receipts", json={"quantity": quantity}
        )
        assert response.status_code == 202, response.text

    async def place_order(
        self, customer_id: str, lines: list[tuple[str, int]], *, key: str | None = None
    ) -> str:
        response = await self.request(
            "POST",
            "/v1/orders",
            role="channel",
            json={
                "customer_id": customer_id,
                "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
            },
            headers={"Idempotency-Key": key or str(uuid4())},
        )
        assert response.status_code == 202, response.text
        return str(response.json()["order_id"])

    async def order(self, order_id: str) -> dict[str, Any]:
        response = await self.request("GET", f"/v1/orders/{order_id}", role="channel")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def shipments(self, order_id: str) -> list[dict[str, Any]]:
        response = await self.request("GET", "/v1/shipments", params={"order_id": order_id})
        assert response.status_code == 200, response.text
        return list(response.json())

    async def stock(self, sku: str) -> dict[str, Any]:
        response = await self.request("GET", f"/v1/inventory/{sku}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def andon_pulls(self) -> list[dict[str, Any]]:
        response = await self.request("GET", "/v1/andon/pulls", params={"open": "true"})
        assert response.status_code == 200, response.text
        return list(response.json())

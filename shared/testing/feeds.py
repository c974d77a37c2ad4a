"""Reading lists and change feeds as a client does: a list every page by its `next` links; a
feed page by page until a page comes back short, polling again until what was written shows."""

from collections.abc import Mapping
from typing import Any

import httpx

from shared.testing.polling import eventually

Rows = list[dict[str, Any]]


async def drain(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> tuple[Rows, str]:
    """A feed's rows until a page comes back short; and the next poll's link."""
    rows: Rows = []
    while True:
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        rows += response.json()
        url = response.links["next"]["url"]
        if len(response.json()) < int(httpx.URL(url).params["limit"]):
            return rows, url


async def drain_at_least(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str], count: int
) -> tuple[Rows, str]:
    """`drain`, again until at least `count` rows show. On PostgreSQL a feed shows a change once
    every transaction older than it has ended anywhere in the server (an autovacuum's too), so
    a client that finds less than it expects polls again; so does this."""

    async def drained() -> tuple[Rows, str]:
        rows, poll = await drain(client, url, headers)
        assert len(rows) >= count, f"{len(rows)} of {count} rows so far: {rows}"
        return rows, poll

    return await eventually(drained)


async def follow(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> tuple[Rows, int]:
    """Every row of a list, following its `next` links; and how many requests it took."""
    rows: Rows = []
    requests = 0
    next_url: str | None = url
    while next_url is not None:
        response = await client.get(next_url, headers=headers)
        assert response.status_code == 200, response.text
        rows += response.json()
        requests += 1
        next_url = response.links.get("next", {}).get("url")
    return rows, requests

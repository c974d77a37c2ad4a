"""A connection a PostgreSQL restart left broken is closed, not handed out again, and an HTTP
request that met it answers 503 (come back), not 500."""

import asyncpg
import httpx
import pytest
from fastapi import APIRouter

from shared.db import PostgresDatabase
from shared.testing import eventually
from shared.testing.apps import app_for_tests

pytestmark = pytest.mark.integration

# What asyncpg raises on a connection the server dropped mid-operation.
BROKEN = "cannot switch to state 15; another operation (2) is in progress"


async def test_a_connection_left_in_a_state_asyncpg_cannot_leave_is_closed(
    postgres_db: PostgresDatabase,
) -> None:
    with pytest.raises(asyncpg.InternalClientError):
        async with postgres_db.transaction() as conn:
            broken = await conn.fetchval("SELECT pg_backend_pid()")
            raise asyncpg.InternalClientError(BROKEN)

    async def closed() -> None:
        async with postgres_db.transaction() as conn:
            alive = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", broken
            )
        assert alive == 0

    await eventually(closed, timeout=10)


async def test_a_request_that_meets_a_broken_connection_is_told_to_retry() -> None:
    router = APIRouter()

    @router.get("/v1/things")
    async def things() -> list[str]:
        raise asyncpg.InternalClientError(BROKEN)

    app = app_for_tests("test", [router], keys={})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test"
    ) as client:
        response = await client.get("/v1/things")

    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "2"

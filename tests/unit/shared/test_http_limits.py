"""The body-size limit holds for declared and for streamed (chunked) bodies, with or without a key,
and answers problem+json 413 before anything reads the body whole."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel

from shared.http import MAX_BODY_BYTES
from shared.testing.apps import app_for_tests


class Note(BaseModel):
    text: str


router = APIRouter()


@router.post("/v1/notes")
async def take_note(note: Note) -> dict[str, int]:
    return {"length": len(note.text)}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = app_for_tests("test", [router], keys={})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def _chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    yield b'{"text": "'
    for _ in range(total // size):
        yield b"x" * size
    yield b'"}'


async def test_a_declared_length_over_the_limit_is_refused_unread(http: httpx.AsyncClient) -> None:
    body = b'{"text": "' + b"x" * MAX_BODY_BYTES + b'"}'

    response = await http.post("/v1/notes", content=body)

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_chunked_body_over_the_limit_is_cut_off_at_the_limit(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post("/v1/notes", content=_chunks(50 * MAX_BODY_BYTES))

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert str(MAX_BODY_BYTES) in response.json()["detail"]


async def test_a_chunked_body_under_the_limit_goes_through(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/notes", content=_chunks(128 * 1024), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 200
    assert response.json() == {"length": 128 * 1024}

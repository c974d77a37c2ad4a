"""JSON request bodies that name a key twice are refused (422) before any route reads them.

`json.loads` keeps the last of two equal keys without a word, so `{"customer_id": "a",
"customer_id": "b"}` would quietly switch the customer. The body is read here (the size limit
outside this middleware bounds it), checked, then handed on unchanged.
"""

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKeyError(key)
        seen[key] = value
    return seen


def duplicate_key(body: bytes) -> str | None:
    """The first key some object of `body` names twice; None if none (or not JSON at all)."""
    try:
        json.loads(body, object_pairs_hook=_no_duplicates)
    except _DuplicateKeyError as duplicate:
        return duplicate.key
    except ValueError:
        return None  # not JSON: the route's own validation says what is wrong
    return None


def _is_json(scope: Scope) -> bool:
    content_type = Headers(scope=scope).get("content-type", "application/json")
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


class RefuseDuplicateKeys:
    """ASGI middleware: 422 problem+json for a JSON body with a duplicate key."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY or not _is_json(scope):
            await self._app(scope, receive, send)
            return
        messages: list[Message] = []
        try:
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request" or not message.get("more_body", False):
                    break
        except HTTPException as refused:  # the size limit, raised while reading
            await _problem(refused.status_code, str(refused.detail), str(refused.detail))(
                scope, receive, send
            )
            return
        key = duplicate_key(b"".join(m.get("body", b"") for m in messages))
        if key is not None:
            detail = f"the JSON body names the key {key!r} twice"
            errors = [{"field": "body", "message": f"duplicate key {key!r}"}]
            await _problem(422, "Invalid request", detail, errors=errors)(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self._app(scope, replay, send)

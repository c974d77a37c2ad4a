"""The console as a process of its own (scale-out): the page, and /v1/... forwarded by prefix.

In scale-out every service answers on its own address, while the page asks one origin; this
process serves the page and forwards each API call, key and all, to the service that owns the
path's prefix (GAPLESS_CONSOLE_UPSTREAMS, a JSON object: {"/v1/orders": "http://order:8000"}).
It holds no key and no data: every service still checks every call.
"""

import json
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from shared.console import web
from shared.http import problem

FORWARDED_REQUEST_HEADERS = ("authorization", "content-type", "idempotency-key", "accept")
FORWARDED_RESPONSE_HEADERS = ("content-type", "link", "location", "retry-after")
TIMEOUT_SECONDS = 30.0


def upstreams_from_env() -> dict[str, str]:
    raw = os.environ.get("GAPLESS_CONSOLE_UPSTREAMS", "")
    if not raw:
        raise SystemExit(
            'GAPLESS_CONSOLE_UPSTREAMS is required: {"/v1/orders": "http://127.0.0.1:8101", ...}'
        )
    upstreams = json.loads(raw)
    if not isinstance(upstreams, dict) or not all(
        isinstance(k, str) and k.startswith("/v1/") and isinstance(v, str)
        for k, v in upstreams.items()
    ):
        raise SystemExit("GAPLESS_CONSOLE_UPSTREAMS maps /v1/... prefixes to base URLs")
    return upstreams


def create_console_app(
    upstreams: Mapping[str, str], *, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    # Longest prefix first: /v1/andon/stats before /v1/andon.
    routes = sorted(upstreams.items(), key=lambda item: -len(item[0]))
    client = httpx.AsyncClient(timeout=TIMEOUT_SECONDS, transport=transport)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await client.aclose()

    app = FastAPI(title="gapless console", lifespan=lifespan, docs_url=None, redoc_url=None)
    web.install(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks = {}
        for base in sorted(set(upstreams.values())):
            try:
                checks[base] = (await client.get(f"{base}/healthz", timeout=2)).status_code == 200
            except httpx.HTTPError:
                checks[base] = False
        ready = all(checks.values())
        return JSONResponse(
            {"ready": ready, "upstreams": checks}, status_code=200 if ready else 503
        )

    @app.api_route(
        "/v1/{path:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def forward(path: str, request: Request) -> Response:
        full = f"/v1/{path}"
        base = next(
            (b for prefix, b in routes if full == prefix or full.startswith(prefix + "/")), None
        )
        if base is None:
            return problem(404, "Not found", f"no service serves {full}")
        headers = {
            k: v for k, v in request.headers.items() if k.lower() in FORWARDED_REQUEST_HEADERS
        }
        try:
            answer = await client.request(
                request.method,
                f"{base}{full}",
                params=str(request.query_params),
                content=await request.body(),
                headers=headers,
            )
        except httpx.HTTPError as error:
            return problem(502, "Bad gateway", f"{base} did not answer: {type(error).__name__}")
        kept = {k: v for k, v in answer.headers.items() if k.lower() in FORWARDED_RESPONSE_HEADERS}
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    return app

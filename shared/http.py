"""Service app factory: problem+json errors, health, readiness, Prometheus metrics, body limits."""

import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import KeyRing
from shared.errors import ConcurrencyError, DomainError, InvalidRequestError

PROBLEM = "application/problem+json"
MAX_BODY_BYTES = 256 * 1024

REQUESTS = Counter(
    "gapless_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
LATENCY = Histogram("gapless_http_request_seconds", "HTTP latency", ["service", "route"])

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field_errors(error: RequestValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"] if p != "body") or "body", "message": e["msg"]}
        for e in error.errors()
    ]


def create_app(
    *,
    service: str,
    routers: Sequence[APIRouter],
    lifespan: Lifespan,
    readiness: ReadinessCheck,
    key_ring: KeyRing,
) -> FastAPI:
    app = FastAPI(title=f"gapless {service}", lifespan=lifespan)
    app.state.key_ring = key_ring
    for router in routers:
        app.include_router(router)
    _add_error_handlers(app)
    _add_probes(app, readiness)
    _add_middleware(app, service)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = _field_errors(error)
        fields = ", ".join(e["field"] for e in errors)
        return problem(422, "Invalid request", f"invalid fields: {fields}", errors=errors)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        extra = {"errors": error.errors} if isinstance(error, InvalidRequestError) else {}
        return problem(error.status_code, error.title, error.detail, **extra)

    @app.exception_handler(ConcurrencyError)
    async def conflict(_: Request, error: ConcurrencyError) -> JSONResponse:
        return problem(409, "Conflict", f"{error}; retry the request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(error.status_code, str(error.detail), str(error.detail))


def _add_probes(app: FastAPI, readiness: ReadinessCheck) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks = await readiness()
        ready = all(checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _add_middleware(app: FastAPI, service: str) -> None:
    app.add_middleware(LimitsAndMetrics, service=service)


class LimitsAndMetrics:
    """Body-size limit and request metrics as plain ASGI (no per-request task, unlike
    `BaseHTTPMiddleware`).

    The limit counts the bytes as they arrive, so a chunked upload without Content-Length is cut
    off at the limit too, before anything reads it whole.
    """

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self._app = app
        self._service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await _too_large()(scope, receive, send)
            return
        status = 500
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                # Raised inside the app, so its problem+json handler answers (413).
                raise StarletteHTTPException(413, _TOO_LARGE)
            return message

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self._app(scope, limited, observed)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(self._service, scope["method"], route, status).inc()
            LATENCY.labels(self._service, route).observe(time.perf_counter() - started)


_TOO_LARGE = f"request bodies are limited to {MAX_BODY_BYTES} bytes"


def _too_large() -> JSONResponse:
    return problem(413, "Body too large", _TOO_LARGE)

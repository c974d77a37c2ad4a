"""Service app factory: problem+json errors, health, readiness, Prometheus metrics, body limits,
and the API documents (behind a key unless made public)."""

import logging
import re
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from functools import partial
from typing import Any

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.registry import Collector
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import KeyRing, UnauthenticatedError, authenticate
from shared.console.web import install_docs
from shared.db import is_busy
from shared.errors import ConcurrencyError, DomainError, InvalidRequestError
from shared.json_bodies import RefuseDuplicateKeys
from shared.openapi import WebhookDocs, allowed_methods, operation_id, truthful_openapi
from shared.settings import MAX_IN_FLIGHT

logger = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
MAX_BODY_BYTES = 256 * 1024

REQUESTS = Counter(
    "gapless_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
LATENCY = Histogram("gapless_http_request_seconds", "HTTP latency", ["service", "route"])
SHED = Counter(
    "gapless_http_shed_total", "Requests answered 503 at once: too many in flight", ["service"]
)
# Never shed: probes and metrics must answer most when the process is busiest.
_UNSHED = frozenset({"/healthz", "/readyz", "/metrics"})

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def problem(
    status: int, title: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


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
    runtimes: Mapping[str, object],
    public_docs: bool = False,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> FastAPI:
    """`runtimes`: each service's the routes act on, by name (see `shared.runtime.runtime_of`)."""
    app = FastAPI(
        title=f"gapless {service}",
        lifespan=lifespan,
        # Served below, behind a key unless `public_docs` (SPEC: every endpoint needs a key).
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        generate_unique_id_function=operation_id,
        dependencies=[Depends(checked_query_parameters)],
    )
    app.state.key_ring = key_ring
    app.state.runtimes = runtimes
    for router in routers:
        if isinstance(router, WebhookDocs):
            app.webhooks.include_router(router)
        else:
            app.include_router(router)
    app.openapi = partial(truthful_openapi, app)  # type: ignore[method-assign]
    _add_docs(app, public=public_docs)
    _add_error_handlers(app)
    _add_probes(app, readiness)
    _add_middleware(app, service, max_in_flight)
    return app


async def checked_query_parameters(request: Request) -> None:
    """Refuse query parameters the route does not take (`?staus=held` must not list every
    order) and values with control characters: a filter is compared in the database, and
    PostgreSQL refuses a NUL in text (which would otherwise surface as a 500)."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None or not request.query_params:
        return
    known = set(_query_names(dependant))
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise InvalidRequestError(
            f"unknown query parameters: {', '.join(unknown)}",
            errors=[{"field": f"query.{name}", "message": "not a parameter"} for name in unknown],
        )
    controlled = sorted(
        {name for name, value in request.query_params.multi_items() if _CONTROL.search(value)}
    )
    if controlled:
        raise InvalidRequestError(
            f"control characters in query parameters: {', '.join(controlled)}",
            errors=[
                {"field": f"query.{name}", "message": "control characters are not allowed"}
                for name in controlled
            ],
        )


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _query_names(dependant: Dependant) -> Iterator[str]:
    yield from (field.alias for field in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _query_names(sub)


def _add_docs(app: FastAPI, *, public: bool) -> None:
    """The OpenAPI document, and Swagger UI on it from local assets (shared/console/web.py)."""
    guard = [] if public else [Depends(authenticate)]

    @app.get("/openapi.json", include_in_schema=False, dependencies=guard)
    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    install_docs(app, public=public)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = _field_errors(error)
        fields = ", ".join(e["field"] for e in errors)
        if all(_missing_header(e) for e in error.errors()):
            # A protocol header the route requires (Idempotency-Key): 400, as the IETF draft says.
            return problem(400, "Bad request", f"missing headers: {fields}", errors=errors)
        return problem(422, "Invalid request", f"invalid fields: {fields}", errors=errors)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        extra = {"errors": error.errors} if isinstance(error, InvalidRequestError) else {}
        headers = (
            {"WWW-Authenticate": error.challenge}
            if isinstance(error, UnauthenticatedError)
            else None
        )
        return problem(error.status_code, error.title, error.detail, headers=headers, **extra)

    @app.exception_handler(ConcurrencyError)
    async def conflict(_: Request, error: ConcurrencyError) -> JSONResponse:
        return problem(409, "Conflict", f"{error}; retry the request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        headers = dict(error.headers or {})
        documented = allowed_methods(app, request.url.path) if error.status_code == 405 else None
        if documented:
            # Starlette names the methods of the first route at the path only.
            headers["Allow"] = ", ".join(sorted(documented))
        return problem(error.status_code, str(error.detail), str(error.detail), headers=headers)

    for unavailable in UNAVAILABLE:
        app.add_exception_handler(unavailable, _unavailable)
    # Anything else is a bug: still a problem+json body, never a bare text/plain 500.
    app.add_exception_handler(Exception, _internal_error)


def _missing_header(error: Any) -> bool:
    return bool(error["loc"]) and error["loc"][0] == "header" and error["type"] == "missing"


# The database (or its connection) is gone for now: the client should come back, not give up.
UNAVAILABLE: tuple[type[Exception], ...] = (
    ConnectionError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # a connection a server restart left broken (shared/db.py)
    asyncpg.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
    sqlite3.OperationalError,
)
RETRY_AFTER_SECONDS = 2


async def _unavailable(request: Request, error: Exception) -> Response:
    if isinstance(error, sqlite3.OperationalError) and not is_busy(error):
        return await _internal_error(request, error)
    logger.warning("%s %s: database unavailable: %r", request.method, request.url.path, error)
    return problem(
        503,
        "Service unavailable",
        "the database is unavailable for the moment; nothing was changed, retry later",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _internal_error(request: Request, error: Exception) -> Response:
    logger.error("%s %s failed", request.method, request.url.path, exc_info=error)
    return problem(500, "Internal error", "the request failed; it has been logged")


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


_SERVED: set[Collector] = set()


def serve_on_metrics(collector: Collector) -> None:
    """Serve a service's own collector on /metrics: once per process, however many runtimes
    (embedded, tests) start with it."""
    if collector not in _SERVED:
        REGISTRY.register(collector)
        _SERVED.add(collector)


def _add_middleware(app: FastAPI, service: str, max_in_flight: int) -> None:
    # Added first, so it runs inside the limit: it reads a body only once the limit holds.
    app.add_middleware(RefuseDuplicateKeys)
    app.add_middleware(LimitsAndMetrics, service=service, max_in_flight=max_in_flight)


class LimitsAndMetrics:
    """Body-size limit, load shedding and request metrics as plain ASGI (no per-request task,
    unlike `BaseHTTPMiddleware`).

    The size limit counts the bytes as they arrive, so a chunked upload without Content-Length
    is cut off at the limit too, before anything reads it whole. Past `max_in_flight` requests
    at once, a new one is answered 503 with Retry-After before anything reads it: nothing of it
    was done, so the client may send it again (with its Idempotency-Key) as it is.
    """

    def __init__(self, app: ASGIApp, *, service: str, max_in_flight: int) -> None:
        self._app = app
        self._service = service
        self._max_in_flight = max_in_flight
        self._in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await _too_large()(scope, receive, send)
            return
        if self._in_flight >= self._max_in_flight and scope["path"] not in _UNSHED:
            SHED.labels(self._service).inc()
            REQUESTS.labels(self._service, scope["method"], "unmatched", 503).inc()
            await _too_busy()(scope, receive, send)
            return
        self._in_flight += 1
        try:
            await self._measured(scope, receive, send)
        finally:
            self._in_flight -= 1

    async def _measured(self, scope: Scope, receive: Receive, send: Send) -> None:
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


def _too_busy() -> JSONResponse:
    detail = (
        "more requests are in progress than this process takes at once; nothing of this one was"
        " done: send it again after Retry-After seconds"
    )
    return problem(503, "Too busy", detail, headers={"Retry-After": "1"})

"""The OpenAPI document as the server really behaves.

FastAPI documents what a route declares; the answers that shared/http.py gives for every route
(problem+json errors, 401 with a challenge, 503 while the database is down) it cannot know. They
are added here, once, from what each operation declares (security, parameters, body), so the
document stays true as routes change; a schemathesis run in the tests holds it to that.
"""

import re
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field

from shared.auth import Role

PROBLEM = "application/problem+json"
# The roles whose keys an operation admits (a vendor extension; 403 for the others).
ROLES = "x-roles"
ALL_ROLES = [str(role) for role in Role]


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the bad field, e.g. `lines.0.quantity`.")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details; `errors` names each bad field of a 400 or 422."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


class WebhookDocs(APIRouter):
    """Requests the service itself sends to URLs its clients registered: documented under the
    document's `webhooks` (OpenAPI 3.1), never served."""


def operation_id(route: APIRoute) -> str:
    """Stable ids (`orders-place_order`) that OpenAPI links and clients can name."""
    tag = str(route.tags[0]).replace(" ", "_") if route.tags else "default"
    return f"{tag}-{route.name}"


_WWW_AUTHENTICATE = {
    "description": '`Bearer`, with `error="invalid_token"` when the key is unknown (RFC 6750)',
    "schema": {"type": "string"},
}
_RETRY_AFTER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}


def _admitted_roles(app: FastAPI) -> dict[tuple[str, str], list[str]]:
    """(path, method) -> the roles whose keys a route admits, read from its `require` check."""
    found: dict[tuple[str, str], list[str]] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        roles = next(_admits(route.dependant), None)
        for method in route.methods or ():
            if roles is not None:
                found[(str(context.path_format), method.lower())] = [str(r) for r in roles]
    return found


def _admits(dependant: Dependant) -> Iterator[list[Any]]:
    admits = getattr(dependant.call, "admits", None)
    if admits is not None:
        yield admits
    for sub in dependant.dependencies:
        yield from _admits(sub)


def _errors_of(path: str, method: str, operation: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Status -> (description, headers) of every error this operation can answer."""
    parameters = operation.get("parameters", [])
    errors: dict[str, tuple[str, Any]] = {}
    if "requestBody" in operation or any(
        p["in"] == "header" and p.get("required") for p in parameters
    ):
        errors["400"] = ("A body that cannot be parsed, or a required header missing", None)
    if operation.get("security"):
        errors["401"] = ("No or unknown API key", {"WWW-Authenticate": _WWW_AUTHENTICATE})
    if len(operation.get(ROLES, ALL_ROLES)) < len(ALL_ROLES):
        errors["403"] = (f"Only {' or '.join(operation[ROLES])} keys may do this", None)
    if "{" in path or method != "get":
        errors["404"] = ("Not found (or not visible to this key)", None)
    if method != "get":
        errors["409"] = ("The current state refuses the request", None)
    if "requestBody" in operation:
        errors["413"] = ("The body is larger than 256 KiB", None)
    if parameters or "requestBody" in operation:
        errors["422"] = ("Invalid request: each bad field is named in `errors`", None)
    errors["503"] = ("The database is unavailable; retry later", {"Retry-After": _RETRY_AFTER})
    return errors


def _document_errors(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for status, (description, headers) in _errors_of(path, method, operation).items():
        response: dict[str, Any] = {
            "description": description,
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if headers:
            response["headers"] = headers
        responses[status] = response


def truthful_openapi(app: FastAPI) -> dict[str, Any]:
    """`app.openapi`: FastAPI's document plus the errors every route answers (built once)."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title, version=app.version, routes=app.routes, webhooks=app.webhooks.routes
    )
    roles = _admitted_roles(app)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if (path, method) in roles:
                operation[ROLES] = roles[(path, method)]
            _document_errors(path, method, operation)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    app.openapi_schema = document
    return document


def allowed_methods(app: FastAPI, path: str) -> set[str]:
    """Every method the API documents at `path` (several routes may share one path)."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path):
            methods |= {method.upper() for method in operations}
    if "GET" in methods:
        methods.add("HEAD")
    return methods

"""Serves the ops console at `/` and the API docs at `/docs`, every asset from this process.

The page is plain HTML, CSS and JavaScript (no build step): it signs in with an API key kept in
the browser's session storage, polls the API, and draws its charts as SVG. Swagger UI comes from
the `swagger-ui-bundle` package, so the docs work without a network, and the OpenAPI document
declares the Bearer scheme so that its Authorize button takes a key.
"""

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute, Route
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

STATIC = Path(__file__).parent / "static"
BEARER = {"bearer": {"type": "http", "scheme": "bearer", "description": "an API key"}}
# Probes answer without a key.
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def install(app: FastAPI, *, docs: bool = True) -> None:
    """Add the console (and the offline docs of `app`'s API) to an app."""
    app.mount("/console", StaticFiles(directory=STATIC), name="console")

    @app.get("/", include_in_schema=False)
    async def console() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    if docs:
        install_docs(app)


def install_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from local assets, with the Bearer scheme for its Authorize button."""
    app.mount("/docs-assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
    app.router.routes[:] = [r for r in app.router.routes if not _is_cdn_docs(r)]

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/docs-assets-openapi.json",
            title=f"{app.title} - API docs",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/console/favicon.svg",
            swagger_ui_parameters={"persistAuthorization": False},
        )

    @app.get("/docs-assets-openapi.json", include_in_schema=False)
    async def docs_openapi() -> dict[str, Any]:
        # The bundled Swagger UI (4.x) renders OpenAPI 3.0 only; FastAPI's schemas read the
        # same under that label. /openapi.json itself stays 3.1.
        return {**app.openapi(), "openapi": "3.0.3"}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schema.setdefault("components", {})["securitySchemes"] = BEARER
            for path, operations in schema.get("paths", {}).items():
                if path not in OPEN_PATHS:
                    for operation in operations.values():
                        operation["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _is_cdn_docs(route: BaseRoute) -> bool:
    # FastAPI's own /docs and /redoc pages load their scripts from a CDN.
    return isinstance(route, Route) and route.path in ("/docs", "/docs/oauth2-redirect", "/redoc")

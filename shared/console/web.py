"""Serves the ops console at `/` and the API docs at `/docs`, every asset from this process.

The page is plain HTML, CSS and JavaScript (no build step): it signs in with an API key kept in
the browser's session storage, polls the API, and draws its charts as SVG. Swagger UI comes from
the `swagger-ui-bundle` package, so the docs work without a network; like every route they need
a key unless GAPLESS_PUBLIC_DOCS is set (shared/http.py), and the OpenAPI document declares the
Bearer scheme, so that its Authorize button takes one.
"""

from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from shared.auth import authenticate

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Add the console to an app (every app has the docs already: shared/http.py)."""
    app.mount("/console", StaticFiles(directory=STATIC), name="console")

    @app.get("/", include_in_schema=False)
    async def console() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


def install_docs(app: FastAPI, *, public: bool) -> None:
    """Swagger UI at /docs from local assets (the assets hold no API detail: they are open)."""
    guard = [] if public else [Depends(authenticate)]
    app.mount("/docs-assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False, dependencies=guard)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/docs-openapi.json",
            title=f"{app.title} - API docs",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/console/favicon.svg",
            swagger_ui_parameters={"persistAuthorization": False},
        )

    @app.get("/docs-openapi.json", include_in_schema=False, dependencies=guard)
    async def docs_openapi() -> dict[str, Any]:
        # The bundled Swagger UI (4.x) renders OpenAPI 3.0 only; FastAPI's schemas read the
        # same under that label. /openapi.json itself stays 3.1.
        return {**app.openapi(), "openapi": "3.0.3"}

"""Andon HTTP API."""

from fastapi import APIRouter

from services.andon import views
from services.andon.schemas import AndonPullPublic
from shared.auth import Staff
from shared.runtime import ServiceRuntime


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    router = APIRouter(prefix="/v1/andon", tags=["andon"])

    @router.get("/pulls", response_model=list[AndonPullPublic])
    async def pulls(_: Staff, open: bool = False) -> list[AndonPullPublic]:
        """The andon board: pulls, newest first; `open=true` for unresolved ones only."""
        async with runtime.db.transaction() as conn:
            rows = await views.pulls(conn, open_only=open)
        return [AndonPullPublic.model_validate(row) for row in rows]

    return [router]

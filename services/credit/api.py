"""Credit HTTP API."""

from fastapi import APIRouter

from services.credit import handlers
from services.credit.schemas import CreditAccountPublic
from shared.auth import Staff
from shared.runtime import ServiceRuntime


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    router = APIRouter(prefix="/v1/credit", tags=["credit"])

    @router.get("/accounts/{customer_id}", response_model=CreditAccountPublic)
    async def account(customer_id: str, _: Staff) -> CreditAccountPublic:
        """A customer's credit exposure and how many orders were decided."""
        found = await handlers.credit_account(customer_id, runtime.unit_of_work())
        return CreditAccountPublic(
            customer_id=customer_id,
            exposure_cents=found.exposure_cents,
            decided_orders=len(found.decided),
        )

    return [router]

"""Master data, service policy and classification routes (ops changes, staff reads), and the
catalogue channels read."""

from typing import Annotated

from fastapi import APIRouter, Request, Response, status

from services.order.commands import (
    ChangePolicy,
    ClassifyCustomersAndItems,
    DefineCustomer,
    DefineItem,
)
from services.order.domain import POLICY_ID, ServicePolicy
from services.order.handlers import Classes
from services.order.schemas import CustomerPublic, CustomerPut, ItemPut, PolicyPublic, PolicyPut
from services.order.views import catalogue, queries
from services.order.views.catalogue import CatalogueItem
from shared import paging
from shared.auth import ChannelOrStaff, Ops, Principal, Staff
from shared.errors import NotFoundError
from shared.limits import PathIdentifier
from shared.runtime import ServiceRuntime, runtime_of

Runtime = Annotated[ServiceRuntime, runtime_of("order")]

items = APIRouter(prefix="/v1/items", tags=["master data"])
customers = APIRouter(prefix="/v1/customers", tags=["master data"])
policy = APIRouter(prefix="/v1/policy", tags=["service policy"])
classifications = APIRouter(prefix="/v1/classifications", tags=["service policy"])


@items.get("", response_model=list[CatalogueItem], responses=paging.LINKED)
async def list_items(
    principal: ChannelOrStaff,
    request: Request,
    response: Response,
    page: paging.ListPaging,
    runtime: Runtime,
) -> list[CatalogueItem]:
    """The catalogue by SKU (`order=desc`: from the last SKU back), a page at a time: prices
    and what can be promised now. The next page is in the `Link` header."""
    async with runtime.db.transaction() as conn:
        found = await catalogue.items(conn, page)
    return [_seen_by(principal, item) for item in paging.linked(request, response, found)]


@items.get("/{sku}", response_model=CatalogueItem)
async def get_item(
    sku: PathIdentifier, principal: ChannelOrStaff, runtime: Runtime
) -> CatalogueItem:
    """One item: its price and what can be promised now (staff also see its stock)."""
    async with runtime.db.transaction() as conn:
        found = await catalogue.item(conn, sku)
    if found is None:
        raise NotFoundError(f"item {sku} not found")
    return _seen_by(principal, found)


@items.put("/{sku}", status_code=status.HTTP_204_NO_CONTENT)
async def put_item(sku: PathIdentifier, body: ItemPut, _: Ops, runtime: Runtime) -> None:
    """Create or update a catalogue item (ops master data)."""
    command = DefineItem(sku=sku, **body.model_dump())
    await runtime.send(command)


@customers.put("/{customer_id}", status_code=status.HTTP_204_NO_CONTENT)
async def put_customer(
    customer_id: PathIdentifier, body: CustomerPut, _: Ops, runtime: Runtime
) -> None:
    """Create or update a customer: credit light, limit, review threshold and tier."""
    command = DefineCustomer(customer_id=customer_id, **body.model_dump())
    await runtime.send(command)


@customers.get("/{customer_id}", response_model=CustomerPublic)
async def get_customer(customer_id: PathIdentifier, _: Staff, runtime: Runtime) -> CustomerPublic:
    """A customer with its A/B/C class and current credit exposure."""
    async with runtime.db.transaction() as conn:
        found = await queries.customer(conn, customer_id)
    if found is None:
        raise NotFoundError(f"customer {customer_id} not found")
    return found


@policy.get("", response_model=PolicyPublic)
async def get_policy(_: Staff, runtime: Runtime) -> PolicyPublic:
    """The service policy in effect: 9 segments, pattern check, defect settings and the
    deadlines of waiting states."""
    in_effect = await runtime.current(ServicePolicy, POLICY_ID) or ServicePolicy()
    return PolicyPublic.model_validate(in_effect.current.model_dump())


@policy.put("", response_model=PolicyPublic)
async def put_policy(body: PolicyPut, _: Ops, runtime: Runtime) -> PolicyPublic:
    """Replace the whole policy table; a change records a new version."""
    command = ChangePolicy(
        segments=body.segments,
        pattern_check=body.pattern_check,
        defects=body.defects,
        deadlines=body.deadlines,
    )
    changed = await runtime.send(command)
    return PolicyPublic.model_validate(changed.model_dump())


@classifications.post("/run", response_model=Classes)
async def run_classification(_: Ops, runtime: Runtime) -> Classes:
    """Classify customers and items A/B/C from the trailing year's orders now."""
    classes: Classes = await runtime.send(ClassifyCustomersAndItems())
    return classes


def _seen_by(principal: Principal, item: CatalogueItem) -> CatalogueItem:
    return item if principal.channel is None else item.for_channel()


ROUTERS = (items, customers, policy, classifications)

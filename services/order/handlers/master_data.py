"""Master data and policy (ops): items, customers, the service policy."""

from services.order.commands import ChangePolicy, DefineCustomer, DefineItem
from services.order.domain import POLICY_ID, CatalogItem, Customer, ServicePolicy
from services.order.events import PolicyChanged
from shared.unit_of_work import UnitOfWork


async def define_item(cmd: DefineItem, uow: UnitOfWork) -> None:
    async with uow:
        item = await uow.get_or_create(CatalogItem, cmd.sku)
        item.define(
            name=cmd.name, unit_price_cents=cmd.unit_price_cents, reorder_point=cmd.reorder_point
        )
        await uow.commit()


async def define_customer(cmd: DefineCustomer, uow: UnitOfWork) -> None:
    async with uow:
        customer = await uow.get_or_create(Customer, cmd.customer_id)
        customer.define(**cmd.model_dump(exclude={"customer_id"}))
        await uow.commit()


async def change_policy(cmd: ChangePolicy, uow: UnitOfWork) -> PolicyChanged:
    async with uow:
        policy = await uow.get_or_create(ServicePolicy, POLICY_ID)
        policy.change(cmd.segments, cmd.pattern_check, cmd.defects, cmd.deadlines)
        await uow.commit()
    return policy.current

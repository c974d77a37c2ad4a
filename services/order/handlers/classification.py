"""ABC classification of customers and items from the order history (daily, or on demand)."""

from datetime import timedelta

from pydantic import BaseModel

from services.order.commands import ClassifyCustomersAndItems
from services.order.domain import CatalogItem, Customer, abc_classes
from services.order.events import AbcClass
from services.order.lookups import history
from shared.unit_of_work import UnitOfWork

TRAILING = timedelta(days=365)


class Classes(BaseModel):
    customers: dict[str, AbcClass]
    items: dict[str, AbcClass]


async def classify(_: ClassifyCustomersAndItems, uow: UnitOfWork) -> Classes:
    """Classify by trailing revenue; only classes that changed are recorded."""
    now = uow.now()
    async with uow:
        customer_revenue, item_revenue = await history.revenue_since(uow.conn, now - TRAILING)
        classes = Classes(customers=abc_classes(customer_revenue), items=abc_classes(item_revenue))
        for customer_id, customer_class in classes.customers.items():
            if (customer := await uow.get(Customer, customer_id)) is not None:
                customer.classify(customer_class, customer_revenue[customer_id])
        for sku, item_class in classes.items.items():
            if (item := await uow.get(CatalogItem, sku)) is not None:
                item.classify(item_class, item_revenue[sku])
        await uow.commit()
    return classes

"""Which SKUs and customers exist: the order service's master data, so a pull can name them."""

from services.andon import inbound
from services.andon.events import TargetKind
from services.andon.handlers.cord import know_target
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def know_sku_when_item_defined(
    event: inbound.ItemDefined, _: Envelope, uow: UnitOfWork
) -> None:
    await know_target(uow, TargetKind.SKU, event.sku)


async def know_customer_when_customer_defined(
    event: inbound.CustomerDefined, _: Envelope, uow: UnitOfWork
) -> None:
    await know_target(uow, TargetKind.CUSTOMER, event.customer_id)

"""Demo catalogue for a new installation, so the product can be tried at once."""

from services.order import handlers
from services.order.commands import DefineItem
from shared.runtime import ServiceRuntime

DEMO_ITEMS = (
    ("RETRO-CLOCK", "Retro alarm clock", 4_999),
    ("LAVA-LAMP", "Lava lamp", 2_999),
    ("DESK-FAN", "Quiet desk fan", 1_999),
    ("TEAPOT", "Cast-iron teapot", 3_499),
    ("RARE-VASE", "Hand-blown vase", 15_999),
)


async def seed(runtime: ServiceRuntime) -> None:
    """Seed once: a restart finds the catalogue and adds nothing."""
    async with runtime.db.transaction() as conn:
        if await conn.fetchval("SELECT count(*) FROM catalog_item") > 0:
            return
    for sku, name, price in DEMO_ITEMS:
        command = DefineItem(sku=sku, name=name, unit_price_cents=price)
        await handlers.define_item(command, runtime.unit_of_work())

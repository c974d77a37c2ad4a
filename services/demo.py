"""Demo data for a new embedded installation, so the product can be tried at once."""

from collections.abc import Mapping

from shared.runtime import ServiceRuntime
from services.inventory import handlers as inventory
from services.order import handlers as order
from services.order.commands import DefineItem

DEMO_ITEMS = (
    ("RETRO-CLOCK", "Retro alarm clock", 4_999, 120),
    ("LAVA-LAMP", "Lava lamp", 2_999, 80),
    ("DESK-FAN", "Quiet desk fan", 1_999, 200),
    ("TEAPOT", "Cast-iron teapot", 3_499, 40),
    ("RARE-VASE", "Hand-blown vase", 15_999, 3),
)


async def seed(runtimes: Mapping[str, ServiceRuntime]) -> None:
    """Seed catalogue and stock once; a restart finds them and adds nothing."""
    async with runtimes["order"].db.transaction() as conn:
        if await conn.fetchval("SELECT count(*) FROM catalog_item") > 0:
            return
    for sku, name, price, stock in DEMO_ITEMS:
        command = DefineItem(sku=sku, name=name, unit_price_cents=price)
        await order.define_item(command, runtimes["order"].unit_of_work())
        await inventory.receive_stock(sku, stock, runtimes["inventory"].unit_of_work())

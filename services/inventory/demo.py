"""Demo stock for a new installation (the SKUs of the order service's demo catalogue)."""

from services.inventory.commands import ReceiveStock
from shared.runtime import ServiceRuntime

DEMO_STOCK = (
    ("RETRO-CLOCK", 120),
    ("LAVA-LAMP", 80),
    ("DESK-FAN", 200),
    ("TEAPOT", 40),
    ("RARE-VASE", 3),
)


async def seed(runtime: ServiceRuntime) -> None:
    """Seed once: a restart finds stock and adds nothing."""
    async with runtime.db.transaction() as conn:
        if await conn.fetchval("SELECT count(*) FROM stock_level") > 0:
            return
    for sku, quantity in DEMO_STOCK:
        await runtime.send(ReceiveStock(sku=sku, quantity=quantity))

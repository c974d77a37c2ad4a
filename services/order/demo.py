"""Demo catalogue and customers for a new installation, so the product can be tried at once."""

from services.order import handlers
from services.order.commands import DefineCustomer, DefineItem
from shared.runtime import ServiceRuntime

DEMO_ITEMS = (
    DefineItem(
        sku="RETRO-CLOCK", name="Retro alarm clock", unit_price_cents=4_999, reorder_point=5
    ),
    DefineItem(sku="LAVA-LAMP", name="Lava lamp", unit_price_cents=2_999, reorder_point=5),
    DefineItem(sku="DESK-FAN", name="Quiet desk fan", unit_price_cents=1_999, reorder_point=10),
    DefineItem(sku="TEAPOT", name="Cast-iron teapot", unit_price_cents=3_499, reorder_point=3),
    DefineItem(sku="RARE-VASE", name="Hand-blown vase", unit_price_cents=15_999, reorder_point=0),
)
DEMO_CUSTOMERS = (
    DefineCustomer(
        customer_id="acme",
        name="Acme Retail (green)",
        credit_light="green",
        credit_limit_cents=1_000_000,
        review_threshold_cents=200_000,
        tier="regular",
    ),
    DefineCustomer(
        customer_id="bobs-bazaar",
        name="Bob's Bazaar (yellow)",
        credit_light="yellow",
        credit_limit_cents=100_000,
        review_threshold_cents=20_000,
        tier="regular",
    ),
    DefineCustomer(
        customer_id="risky-co",
        name="Risky Co (red)",
        credit_light="red",
        credit_limit_cents=50_000,
        review_threshold_cents=0,
        tier="regular",
    ),
    DefineCustomer(
        customer_id="globex",
        name="Globex (strategic)",
        credit_light="green",
        credit_limit_cents=5_000_000,
        review_threshold_cents=1_000_000,
        tier="strategic",
    ),
)


async def seed(runtime: ServiceRuntime) -> None:
    """Seed once: a restart finds the catalogue and customers and adds nothing."""
    async with runtime.db.transaction() as conn:
        has_items = await conn.fetchval("SELECT count(*) FROM catalog_item") > 0
        has_customers = await conn.fetchval("SELECT count(*) FROM customer") > 0
    for item in () if has_items else DEMO_ITEMS:
        await handlers.define_item(item, runtime.unit_of_work())
    for customer in () if has_customers else DEMO_CUSTOMERS:
        await handlers.define_customer(customer, runtime.unit_of_work())

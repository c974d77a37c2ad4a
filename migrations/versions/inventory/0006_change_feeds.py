"""Change feed of stock levels (GET /v1/inventory): change marks and their index."""

from migrations.steps import Feed, change_feeds

revision = "inventory_0006"
down_revision = "inventory_0005"

upgrade, downgrade = change_feeds(Feed("stock_level", ["sku"]))

"""Each SKU's stock as the inventory tells it: every event that moves a SKU's stock carries the
level after it, and the handlers that hear one note it here for the catalogue."""

from services.order.inbound import StockLevel
from shared.db import WriteBehind

# Of two levels of a SKU only the newer counts: one SKU's events travel under their orders' keys,
# so an older one may arrive later (in this batch, or at another consumer).
_STOCK = (
    "INSERT INTO catalog_stock (sku, on_hand, reserved, available, stock_version)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand,"
    " reserved = excluded.reserved, available = excluded.available,"
    " stock_version = excluded.stock_version"
    " WHERE catalog_stock.stock_version < excluded.stock_version"
)


def note_stock(conn: WriteBehind, sku: str, level: StockLevel, version: int) -> None:
    """The SKU's stock as of `version` of the inventory's stream of it, unless newer is known."""
    row = ("catalog_stock", sku)
    held = conn.held(row)
    if held is None or held[-1] < version:
        # Every order of a SKU moves it: a hot row, written at commit (see WriteBehind).
        levels = (level.on_hand, level.reserved, level.available)
        conn.defer_to_commit(row, _STOCK, sku, *levels, version)

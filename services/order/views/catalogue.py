"""The catalogue channels read: each item's price, and what can be promised of it now.

Items and prices are the order service's master data (catalog_item); the stock is the
inventory's, kept here as its events tell it (catalog_stock): every event that moves a SKU's
stock carries the level after it. So one read answers, and no service reads another's data.
"""

from pydantic import BaseModel, Field

from services.order.inbound import StockLevel
from shared.db import Connection, Row, WriteBehind
from shared.paging import Listing, ListQuery, Page, Where, fetch

_STAFF_ONLY = "Staff and ops keys only: null for a channel's key."
_STAFF_FIELDS = ("on_hand", "reserved", "reorder_point", "item_class")


class CatalogueItem(BaseModel):
    sku: str
    name: str
    unit_price_cents: int
    available: int = Field(
        description="Available to promise: units on hand less those reserved for orders, and "
        "none while an andon stops the SKU's sale. 0 until the inventory told the SKU's stock."
    )
    on_hand: int | None = Field(description=_STAFF_ONLY)
    reserved: int | None = Field(description=_STAFF_ONLY)
    reorder_point: int | None = Field(description=_STAFF_ONLY)
    item_class: str | None = Field(description=f"A, B or C by revenue. {_STAFF_ONLY}")

    def for_channel(self) -> "CatalogueItem":
        """What a channel may see: a quantity to promise, nothing of stock or orders behind it."""
        return self.model_copy(update=dict.fromkeys(_STAFF_FIELDS))


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


_COLUMNS = (
    "c.sku, c.name, c.unit_price_cents, c.reorder_point, c.item_class,"
    " COALESCE(s.on_hand, 0) AS on_hand, COALESCE(s.reserved, 0) AS reserved,"
    " COALESCE(s.available, 0) AS available"
)
_SOURCE = "catalog_item c LEFT JOIN catalog_stock s ON s.sku = c.sku"
# By SKU; no change feed (a stock level changes with every order of its SKU).
ITEMS = Listing(
    name="items",
    source=_SOURCE,
    columns=_COLUMNS,
    order=(("c.sku", str),),
    row_key=(("c.sku", str),),
    default="asc",
    feed=False,
)


async def item(conn: Connection, sku: str) -> CatalogueItem | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM {_SOURCE} WHERE c.sku = $1", sku)
    return None if row is None else _item(row)


async def items(conn: Connection, query: ListQuery) -> Page[CatalogueItem]:
    """A page of the catalogue."""
    found = await fetch(conn, ITEMS, Where(), query)
    return found.with_rows([_item(row) for row in found.rows])


def _item(row: Row) -> CatalogueItem:
    return CatalogueItem.model_validate(dict(row))

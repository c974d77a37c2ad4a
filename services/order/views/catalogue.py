"""The catalogue channels read: each item's price, and what can be promised of it now.

Items and prices are the order service's master data (catalog_item); the stock is the
inventory's, noted as its events tell it (catalog_stock, services/order/lookups/stock.py). So
one read answers, and no service reads another's data.
"""

from pydantic import BaseModel, Field

from shared.db import Connection, Row
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

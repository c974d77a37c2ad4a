"""Catalogue item aggregate: one per SKU; orders are priced from it at intake."""

from services.order.events import ItemDefined
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


class CatalogItem(Aggregate):
    stream_type = "catalog-item"
    event_classes = event_map(ItemDefined)

    def __init__(self, sku: str) -> None:
        super().__init__(sku)
        self.definition: ItemDefined | None = None

    def define(self, *, name: str, unit_price_cents: int) -> None:
        defined = ItemDefined(sku=self.id, name=name, unit_price_cents=unit_price_cents)
        if defined != self.definition:  # an unchanged PUT records nothing
            self._record(defined)

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case ItemDefined():
                self.definition = event

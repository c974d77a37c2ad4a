"""Catalogue item aggregate: one per SKU; orders are priced and segmented from it at intake."""

from services.order.events import AbcClass, ItemClassified, ItemDefined
from shared.aggregate import Aggregate, event_map
from shared.messages import DomainEvent


class CatalogItem(Aggregate):
    stream_type = "catalog-item"
    event_classes = event_map(ItemDefined, ItemClassified)

    def __init__(self, sku: str) -> None:
        super().__init__(sku)
        self.definition: ItemDefined | None = None
        self.item_class: AbcClass = "C"  # unclassified items count as C

    @property
    def unit_price_cents(self) -> int:
        assert self.definition is not None, f"item {self.id} was never defined"
        return self.definition.unit_price_cents

    def define(self, *, name: str, unit_price_cents: int, reorder_point: int = 0) -> None:
        defined = ItemDefined(
            sku=self.id, name=name, unit_price_cents=unit_price_cents, reorder_point=reorder_point
        )
        if defined != self.definition:  # an unchanged PUT records nothing
            self._record(defined)

    def classify(self, item_class: AbcClass, revenue_cents: int) -> None:
        if item_class != self.item_class:
            self._record(
                ItemClassified(sku=self.id, item_class=item_class, revenue_cents=revenue_cents)
            )

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case ItemDefined():
                self.definition = event
            case ItemClassified():
                self.item_class = event.item_class

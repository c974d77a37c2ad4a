"""Order service aggregates: orders and the catalogue items they are priced from."""

from services.order.domain.item import CatalogItem
from services.order.domain.order import Order, OrderStatus

__all__ = ["CatalogItem", "Order", "OrderStatus"]

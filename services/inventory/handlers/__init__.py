"""Inventory use cases, one module each."""

from services.inventory.handlers.adjust_stock_when_order_changed import (
    adjust_stock_when_order_changed,
)
from services.inventory.handlers.commit_stock_when_order_released import (
    commit_stock_when_order_released,
)
from services.inventory.handlers.receive_stock import receive_stock
from services.inventory.handlers.release_stock_when_order_ended import (
    release_stock_when_order_ended,
)
from services.inventory.handlers.reserve_stock_when_order_placed import (
    reserve_stock_when_order_placed,
)
from services.inventory.handlers.resume_sale_when_andon_resolved import (
    resume_sale_when_andon_resolved,
)
from services.inventory.handlers.set_reorder_point_when_item_defined import (
    set_reorder_point_when_item_defined,
)
from services.inventory.handlers.settle_bump_when_order_answered import (
    settle_bump_when_order_answered,
)
from services.inventory.handlers.ship_stock_when_shipment_shipped import (
    ship_stock_when_shipment_shipped,
)
from services.inventory.handlers.stop_sale_when_andon_pulled import stop_sale_when_andon_pulled

__all__ = [
    "adjust_stock_when_order_changed",
    "commit_stock_when_order_released",
    "receive_stock",
    "release_stock_when_order_ended",
    "reserve_stock_when_order_placed",
    "resume_sale_when_andon_resolved",
    "set_reorder_point_when_item_defined",
    "settle_bump_when_order_answered",
    "ship_stock_when_shipment_shipped",
    "stop_sale_when_andon_pulled",
]

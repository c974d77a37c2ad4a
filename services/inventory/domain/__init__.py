"""Inventory domain: one Stock aggregate per SKU, its order lines and its demand signals."""

from services.inventory.domain.demand import (
    BASELINE_SPAN,
    RECENT_WINDOW,
    SPIKE_COOLDOWN,
    SPIKE_FACTOR,
    SPIKE_MIN_UNITS,
    DemandWindow,
)
from services.inventory.domain.lines import OrderLine
from services.inventory.domain.stock import Stock

__all__ = [
    "BASELINE_SPAN",
    "RECENT_WINDOW",
    "SPIKE_COOLDOWN",
    "SPIKE_FACTOR",
    "SPIKE_MIN_UNITS",
    "DemandWindow",
    "OrderLine",
    "Stock",
]

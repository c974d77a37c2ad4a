"""Inventory service: stock levels per SKU and reservations against available-to-promise."""

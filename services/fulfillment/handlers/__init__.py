"""Fulfillment use cases, one module per use case."""

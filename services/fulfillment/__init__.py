"""Fulfillment service: takes released orders into the warehouse and out to the carrier."""

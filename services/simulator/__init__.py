"""Simulated WMS/TMS: answers pick and shipment requests after a delay, or loses some on purpose."""

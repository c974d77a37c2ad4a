"""Integration tests against real PostgreSQL and Kafka (marker `integration`)."""

"""Test suites: unit (no servers), integration (PostgreSQL, Kafka), e2e (running services)."""

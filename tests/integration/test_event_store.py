"""The event-store contract on PostgreSQL (scale-out)."""

import pytest

from shared.db import PostgresDatabase
from shared.eventstore import EventStore, SqlEventStore
from shared.testing.contracts import EventStoreContract

pytestmark = pytest.mark.integration


class TestPostgresEventStore(EventStoreContract):
    @pytest.fixture
    def db(self, postgres_db: PostgresDatabase) -> PostgresDatabase:
        return postgres_db

    @pytest.fixture
    def store(self) -> EventStore:
        return SqlEventStore()

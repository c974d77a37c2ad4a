"""The event-store contract on SQLite (embedded mode)."""

import pytest

from shared.db import SqliteDatabase
from shared.eventstore import EventStore, SqlEventStore
from shared.testing.contracts import EventStoreContract


class TestSqliteEventStore(EventStoreContract):
    @pytest.fixture
    def db(self, sqlite_db: SqliteDatabase) -> SqliteDatabase:
        return sqlite_db

    @pytest.fixture
    def store(self) -> EventStore:
        return SqlEventStore()

    async def test_read_all_since_a_time_compares_instants_whatever_the_utc_offset(
        self, db: SqliteDatabase, store: EventStore
    ) -> None:
        await super().test_read_all_since_a_time_compares_instants_whatever_the_utc_offset(
            db, store
        )

"""Inbox claim: a consumer records a message id once, in the transaction of its effect."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from shared.db import SqliteDatabase
from shared.inbox import claim
from shared.testing.database import count_rows

AT = datetime(2025, 3, 1, tzinfo=UTC)


async def test_the_first_claim_wins_and_a_repeat_is_refused(sqlite_db: SqliteDatabase) -> None:
    message_id = str(uuid4())

    async with sqlite_db.transaction() as conn:
        first = await claim(conn, consumer="billing", message_id=message_id, at=AT)
    async with sqlite_db.transaction() as conn:
        repeat = await claim(conn, consumer="billing", message_id=message_id, at=AT)

    assert (first, repeat) == (True, False)
    assert await count_rows(sqlite_db, "processed_message") == 1


async def test_a_repeat_within_the_same_transaction_is_refused(sqlite_db: SqliteDatabase) -> None:
    message_id = str(uuid4())

    async with sqlite_db.transaction() as conn:
        outcomes = [
            await claim(conn, consumer="billing", message_id=message_id, at=AT) for _ in range(2)
        ]

    assert outcomes == [True, False]


async def test_each_consumer_group_claims_the_same_message_for_itself(
    sqlite_db: SqliteDatabase,
) -> None:
    message_id = str(uuid4())

    async with sqlite_db.transaction() as conn:
        billing = await claim(conn, consumer="billing", message_id=message_id, at=AT)
        shipping = await claim(conn, consumer="shipping", message_id=message_id, at=AT)

    assert (billing, shipping) == (True, True)


async def test_a_claim_rolled_back_with_its_effect_can_be_made_again(
    sqlite_db: SqliteDatabase,
) -> None:
    message_id = str(uuid4())
    with pytest.raises(RuntimeError):
        async with sqlite_db.transaction() as conn:
            await claim(conn, consumer="billing", message_id=message_id, at=AT)
            raise RuntimeError("the effect failed")

    async with sqlite_db.transaction() as conn:
        again = await claim(conn, consumer="billing", message_id=message_id, at=AT)

    assert again is True

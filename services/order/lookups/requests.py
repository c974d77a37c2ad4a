"""What a request already answered: each Idempotency-Key and each channel's own order id with
the request (its hash) and the order it placed, so a retry gets the same answer."""

from collections.abc import Sequence
from dataclasses import dataclass

from shared import rows
from shared.db import Connection, row_placeholders


@dataclass(frozen=True, slots=True)
class ChannelOrderRefRow(rows.Row):
    """A channel's own order id's request and the order it placed."""

    table = "channel_order_ref"
    primary_key = ("channel", "external_id")

    channel: str
    external_id: str
    request_hash: str
    order_id: str


@dataclass(frozen=True, slots=True)
class IdempotencyRecordRow(rows.Row):
    """A channel's Idempotency-Key's request and the order it placed."""

    table = "idempotency_record"
    primary_key = ("channel", "key")

    channel: str
    key: str
    request_hash: str
    order_id: str


async def idempotent_answers(
    conn: Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(request hash, order id) of the (channel, key) pairs already answered."""
    return await _answers(conn, "idempotency_record", "key", keys)


async def orders_by_external_id(
    conn: Connection, refs: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(request hash, order id) of the (channel, external id) pairs already placed."""
    return await _answers(conn, "channel_order_ref", "external_id", refs)


async def _answers(
    conn: Connection, table: str, column: str, pairs: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(request hash, order id) by (channel, `column`) for the pairs found in `table`."""
    if not pairs:
        return {}
    found = await conn.fetch(
        f"SELECT channel, {column}, request_hash, order_id FROM {table}"
        f" WHERE (channel, {column}) IN (VALUES {row_placeholders(len(pairs), 2)})",
        *(part for pair in pairs for part in pair),
    )
    return {(row["channel"], row[column]): (row["request_hash"], row["order_id"]) for row in found}


async def remember_external_ids(
    conn: Connection, refs: Sequence[tuple[str, str, str, str]]
) -> None:
    """(channel, external id, request hash, order id) rows, one statement."""
    await rows.insert_all(conn, [ChannelOrderRefRow(*ref) for ref in refs])


async def remember_idempotency_keys(
    conn: Connection, answers: Sequence[tuple[str, str, str, str]]
) -> None:
    """(channel, key, request hash, order id) rows, one statement."""
    await rows.insert_all(conn, [IdempotencyRecordRow(*answer) for answer in answers])

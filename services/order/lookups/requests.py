"""What a request already answered: each Idempotency-Key and each channel's own order id with
the request (its hash) and the order it placed, so a retry gets the same answer."""

from collections.abc import Sequence

from shared.db import Connection, row_placeholders


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
    rows = await conn.fetch(
        f"SELECT channel, {column}, request_hash, order_id FROM {table}"
        f" WHERE (channel, {column}) IN (VALUES {row_placeholders(len(pairs), 2)})",
        *(part for pair in pairs for part in pair),
    )
    return {(row["channel"], row[column]): (row["request_hash"], row["order_id"]) for row in rows}


async def remember_external_ids(
    conn: Connection, refs: Sequence[tuple[str, str, str, str]]
) -> None:
    """(channel, external id, request hash, order id) rows, one statement."""
    await _remember(conn, "channel_order_ref", "external_id", refs)


async def remember_idempotency_keys(
    conn: Connection, answers: Sequence[tuple[str, str, str, str]]
) -> None:
    """(channel, key, request hash, order id) rows, one statement."""
    await _remember(conn, "idempotency_record", "key", answers)


async def _remember(
    conn: Connection, table: str, column: str, rows: Sequence[tuple[str, str, str, str]]
) -> None:
    if rows:
        await conn.executemany(
            f"INSERT INTO {table} (channel, {column}, request_hash, order_id)"
            " VALUES ($1, $2, $3, $4)",
            rows,
        )

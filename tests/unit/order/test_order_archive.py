"""Archiving ended orders: which go, what GET answers for them afterwards, and what is refused."""

from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from order_builders import NOW
from order_harness import a_place_command, define, deliver, details, order_service, place

from services.order.commands import CancelOrder
from services.order.views.archive import (
    archivable_orders,
    forget_answers,
    keep_answers,
    order_of_stream,
    streams_of,
)
from shared.archive import StreamArchivedError, export_streams, import_archive
from shared.db import Connection
from shared.errors import NotFoundError
from shared.runtime import ServiceRuntime
from shared.testing.database import count_rows

LATER = NOW + timedelta(days=1)


async def archive(runtime: ServiceRuntime, order_ids: list[str], path: Path) -> None:
    await export_streams(
        runtime.db,
        streams_of(order_ids),
        path,
        service="order",
        now=runtime.clock.now(),
        keep=lambda conn: keep_answers(conn, order_ids),
    )


async def restore(runtime: ServiceRuntime, path: Path) -> None:
    async def restored(conn: Connection, streams: list[str]) -> None:
        await forget_answers(conn, [o for s in streams if (o := order_of_stream(s)) is not None])

    await import_archive(runtime.db, path, service="order", restored=restored)


async def cancelled_and_live(runtime: ServiceRuntime) -> tuple[UUID, UUID]:
    await define(runtime)
    ended = await place(runtime, a_place_command())
    await runtime.send(CancelOrder(order_id=ended, channel="shop", reason="changed my mind"))
    return ended, await place(runtime, a_place_command())


async def test_only_ended_orders_whose_streams_are_quiet_long_enough_are_chosen(
    tmp_path: Path,
) -> None:
    async with order_service(tmp_path) as runtime:
        ended, live = await cancelled_and_live(runtime)
        async with runtime.db.transaction() as conn:
            too_soon = await archivable_orders(conn, before=NOW, limit=10)
            later = await archivable_orders(conn, before=LATER, limit=10)
            only_live = await archivable_orders(conn, before=LATER, limit=10, only=[str(live)])

    assert (too_soon, later, only_live) == ([], [str(ended)], [])


async def test_an_archived_order_answers_as_before_and_refuses_what_needs_its_events(
    tmp_path: Path,
) -> None:
    path = tmp_path / "archive" / "orders.jsonl.gz"
    async with order_service(tmp_path) as runtime:
        ended, _ = await cancelled_and_live(runtime)
        before = await details(runtime, ended)

        await archive(runtime, [str(ended)], path)

        assert await details(runtime, ended) == before
        with pytest.raises(StreamArchivedError, match="orders.jsonl.gz"):
            await runtime.send(CancelOrder(order_id=ended, channel="shop", reason="again"))
        with pytest.raises(NotFoundError):  # another channel learns nothing of it
            await runtime.send(CancelOrder(order_id=ended, channel="other-shop", reason="x"))
        with pytest.raises(StreamArchivedError):  # a late answer: dead-lettered with the reason
            await deliver(
                runtime,
                "CreditApproved",
                {
                    "order_id": str(ended),
                    "customer_id": "acme",
                    "amount_cents": 2_000,
                    "exposure_cents": 2_000,
                },
            )

        await restore(runtime, path)

        assert await details(runtime, ended) == before
        assert await count_rows(runtime.db, "archived_order") == 0
        assert await count_rows(runtime.db, "archived_stream") == 0

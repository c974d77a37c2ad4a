"""Keeps the read models in step with the events, in the transaction that records them."""

import json

from services.order.domain import Order
from services.order.events import (
    CreditApprovalRecorded,
    CreditReleaseRecorded,
    CreditReviewRecorded,
    CustomerClassified,
    CustomerDefined,
    ItemClassified,
    ItemDefined,
    OrderPlaced,
)
from shared import changes
from shared.aggregate import Aggregate
from shared.db import Connection, WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent


async def project(
    conn: WriteBehind, event: DomainEvent, envelope: Envelope, recorded_by: Aggregate | None
) -> None:
    match event:
        case ItemDefined():
            await _define_item(conn, event)
        case ItemClassified():
            await conn.execute(
                "UPDATE catalog_item SET item_class = $2, revenue_cents = $3 WHERE sku = $1",
                event.sku,
                event.item_class,
                event.revenue_cents,
            )
        case CustomerDefined():
            await _define_customer(conn, event)
        case CustomerClassified():
            await conn.execute(
                "UPDATE customer SET customer_class = $2, revenue_cents = $3"
                " WHERE customer_id = $1",
                event.customer_id,
                event.customer_class,
                event.revenue_cents,
            )
        case _ if isinstance(recorded_by, Order):
            # Live, the order that recorded the event (it may already hold later events of the
            # same transaction, whose own projection then writes the same final row); in a
            # rebuild, the order folded up to the event (`projected_aggregates`).
            await _project_order(conn, event, envelope, recorded_by)
        case _ if type(event).event_type() in Order.event_classes:
            raise TypeError(f"{event.event_type()} is projected from its Order aggregate")


async def _project_order(
    conn: WriteBehind, event: DomainEvent, envelope: Envelope, order: Order
) -> None:
    if isinstance(event, CreditApprovalRecorded | CreditReviewRecorded | CreditReleaseRecorded):
        _set_exposure(conn, event)
    if isinstance(event, OrderPlaced):
        await _insert_summary(conn, order, envelope)
    else:
        _update_summary(conn, order, envelope)


async def _insert_summary(conn: WriteBehind, order: Order, envelope: Envelope) -> None:
    placed = order.state.placed
    assert placed is not None
    await conn.execute(
        "INSERT INTO order_summary (order_id, customer_id, channel, external_id, status, holds,"
        " total_cents, segment, priority, deadline, confirm_by, placed_at, updated_at,"
        f" change_mark) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12,"
        f" {changes.now(conn)})",
        order.id,
        placed.customer_id,
        placed.channel,
        placed.external_id,
        order.status,
        json.dumps(sorted(order.state.holds)),
        order.state.total_cents,
        placed.segment,
        placed.priority,
        placed.deadline,
        _confirm_by(order),
        envelope.occurred_at,
    )


def _update_summary(conn: WriteBehind, order: Order, envelope: Envelope) -> None:
    # The order's state after the event: of several in one batch, only the last is written.
    terms = order.state.terms
    if terms is None:
        return  # no OrderPlaced, so no row to update
    conn.defer(
        ("order_summary", order.id),
        "UPDATE order_summary SET status = $2, holds = $3, total_cents = $4, confirm_by = $5,"
        " updated_at = $6, segment = $7, priority = $8, deadline = $9,"
        f" change_mark = {changes.now(conn)} WHERE order_id = $1",
        order.id,
        order.status,
        json.dumps(sorted(order.state.holds)),
        order.state.total_cents,
        _confirm_by(order),
        envelope.occurred_at,
        terms.segment,
        terms.priority,
        terms.deadline,
    )


def _confirm_by(order: Order) -> object:
    waiting = "pattern_check" in order.state.holds and order.state.ended is None
    return order.state.confirm_by if waiting else None


async def _define_item(conn: Connection, event: ItemDefined) -> None:
    await conn.execute(
        "INSERT INTO catalog_item (sku, name, unit_price_cents, reorder_point, item_class,"
        " revenue_cents) VALUES ($1, $2, $3, $4, 'C', 0)"
        " ON CONFLICT (sku) DO UPDATE SET name = excluded.name,"
        " unit_price_cents = excluded.unit_price_cents, reorder_point = excluded.reorder_point",
        event.sku,
        event.name,
        event.unit_price_cents,
        event.reorder_point,
    )


async def _define_customer(conn: Connection, event: CustomerDefined) -> None:
    await conn.execute(
        "INSERT INTO customer (customer_id, name, credit_light, credit_limit_cents,"
        " review_threshold_cents, tier, customer_class, revenue_cents, exposure_cents)"
        " VALUES ($1, $2, $3, $4, $5, $6, 'C', 0, 0)"
        " ON CONFLICT (customer_id) DO UPDATE SET name = excluded.name,"
        " credit_light = excluded.credit_light, credit_limit_cents = excluded.credit_limit_cents,"
        " review_threshold_cents = excluded.review_threshold_cents, tier = excluded.tier",
        event.customer_id,
        event.name,
        str(event.credit_light),
        event.credit_limit_cents,
        event.review_threshold_cents,
        str(event.tier),
    )


_SET_EXPOSURE = (
    "UPDATE customer SET exposure_cents = $2, exposure_version = COALESCE($3, exposure_version)"
    " WHERE customer_id = $1"
    " AND (CAST($3 AS BIGINT) IS NULL OR exposure_version IS NULL OR exposure_version < $3)"
)


def _set_exposure(
    conn: WriteBehind,
    answer: CreditApprovalRecorded | CreditReviewRecorded | CreditReleaseRecorded,
) -> None:
    """The customer's exposure as credit last reported it. Answers for one customer's orders
    travel on different partitions and may be taken by different members, so the newest by the
    credit account's version wins, whatever the order they arrive in: the row is written at
    commit (a hot row, never in a lock cycle) and only over an older version."""
    row = ("customer.exposure", answer.customer_id)
    version = answer.exposure_version
    held = conn.held(row)  # (customer_id, exposure_cents, version) this batch holds, if any
    if version is not None and held is not None and held[-1] is not None and version <= held[-1]:
        return  # this batch already holds a newer answer for the customer
    conn.defer_to_commit(row, _SET_EXPOSURE, answer.customer_id, answer.exposure_cents, version)

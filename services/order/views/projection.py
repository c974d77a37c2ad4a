"""Keeps the read models in step with the events, in the transaction that records them."""

import json
from dataclasses import dataclass
from datetime import datetime

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
from shared import changes, rows
from shared.aggregate import Aggregate
from shared.db import Connection, WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent


@dataclass(frozen=True, slots=True)
class OrderSummaryRow(rows.Row):
    """An order as placed."""

    table = "order_summary"
    primary_key = ("order_id",)

    order_id: str
    customer_id: str
    channel: str
    external_id: str | None
    status: str
    holds: str  # JSON list of the hold kinds, sorted
    total_cents: int
    segment: str
    priority: int
    deadline: datetime
    confirm_by: datetime | None
    placed_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OrderProgress(rows.Row):
    """An order's state after its latest event."""

    table = "order_summary"
    primary_key = ("order_id",)

    order_id: str
    status: str
    holds: str
    total_cents: int
    confirm_by: datetime | None
    updated_at: datetime
    segment: str
    priority: int
    deadline: datetime


@dataclass(frozen=True, slots=True)
class CatalogItemRow(rows.Row):
    table = "catalog_item"
    primary_key = ("sku",)

    sku: str
    name: str
    unit_price_cents: int
    reorder_point: int
    item_class: str = "C"  # unclassified items count as C
    revenue_cents: int = 0


@dataclass(frozen=True, slots=True)
class ItemClass(rows.Row):
    table = "catalog_item"
    primary_key = ("sku",)

    sku: str
    item_class: str
    revenue_cents: int


@dataclass(frozen=True, slots=True)
class CustomerRow(rows.Row):
    table = "customer"
    primary_key = ("customer_id",)

    customer_id: str
    name: str
    credit_light: str
    credit_limit_cents: int
    review_threshold_cents: int
    tier: str
    customer_class: str = "C"  # C until classified
    revenue_cents: int = 0
    exposure_cents: int = 0


@dataclass(frozen=True, slots=True)
class CustomerClass(rows.Row):
    table = "customer"
    primary_key = ("customer_id",)

    customer_id: str
    customer_class: str
    revenue_cents: int


# What a later definition changes (the class, revenue and exposure stay as they are).
_ITEM_DEFINITION = ("name", "unit_price_cents", "reorder_point")
_CUSTOMER_DEFINITION = (
    "name",
    "credit_light",
    "credit_limit_cents",
    "review_threshold_cents",
    "tier",
)


async def project(
    conn: WriteBehind, event: DomainEvent, envelope: Envelope, recorded_by: Aggregate | None
) -> None:
    match event:
        case ItemDefined():
            await _define_item(conn, event)
        case ItemClassified():
            item_class = ItemClass(event.sku, event.item_class, event.revenue_cents)
            await conn.execute(*rows.update(item_class))
        case CustomerDefined():
            await _define_customer(conn, event)
        case CustomerClassified():
            customer_class = CustomerClass(
                event.customer_id, event.customer_class, event.revenue_cents
            )
            await conn.execute(*rows.update(customer_class))
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
    summary = OrderSummaryRow(
        order.id,
        customer_id=placed.customer_id,
        channel=placed.channel,
        external_id=placed.external_id,
        status=order.status,
        holds=json.dumps(sorted(order.state.holds)),
        total_cents=order.state.total_cents,
        segment=placed.segment,
        priority=placed.priority,
        deadline=placed.deadline,
        confirm_by=_confirm_by(order),
        placed_at=envelope.occurred_at,
        updated_at=envelope.occurred_at,
    )
    await conn.execute(*rows.insert(summary, mark=changes.now(conn)))


def _update_summary(conn: WriteBehind, order: Order, envelope: Envelope) -> None:
    # The order's state after the event: of several in one batch, only the last is written.
    terms = order.state.terms
    if terms is None:
        return  # no OrderPlaced, so no row to update
    progress = OrderProgress(
        order.id,
        status=order.status,
        holds=json.dumps(sorted(order.state.holds)),
        total_cents=order.state.total_cents,
        confirm_by=_confirm_by(order),
        updated_at=envelope.occurred_at,
        segment=terms.segment,
        priority=terms.priority,
        deadline=terms.deadline,
    )
    conn.defer(("order_summary", order.id), *rows.update(progress, mark=changes.now(conn)))


def _confirm_by(order: Order) -> datetime | None:
    waiting = "pattern_check" in order.state.holds and order.state.ended is None
    return order.state.confirm_by if waiting else None


async def _define_item(conn: Connection, event: ItemDefined) -> None:
    item = CatalogItemRow(event.sku, event.name, event.unit_price_cents, event.reorder_point)
    await conn.execute(*rows.insert(item, on_conflict="update", only=_ITEM_DEFINITION))


async def _define_customer(conn: Connection, event: CustomerDefined) -> None:
    customer = CustomerRow(
        event.customer_id,
        name=event.name,
        credit_light=str(event.credit_light),
        credit_limit_cents=event.credit_limit_cents,
        review_threshold_cents=event.review_threshold_cents,
        tier=str(event.tier),
    )
    await conn.execute(*rows.insert(customer, on_conflict="update", only=_CUSTOMER_DEFINITION))


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

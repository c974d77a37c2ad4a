"""Credit read models: accounts, the order -> customer index and the review queue (rebuildable).

The write side reads the index and the reviews too, with its own queries
(services/credit/lookups.py): change those with these tables.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table

from services.credit.events import (
    CreditApproved,
    CreditProfileDefined,
    CreditReleased,
    CreditReviewClosed,
    CreditReviewRequired,
)
from services.credit.schemas import CreditAccountPublic, ReviewPublic
from shared import changes, rows
from shared.changes import mark_column
from shared.db import Connection, WriteBehind
from shared.envelope import Envelope
from shared.messages import DomainEvent
from shared.paging import Listing, Page, PageQuery, Where, fetch
from shared.tables import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
Table(
    "credit_account",
    metadata,
    Column("customer_id", String(100), primary_key=True),
    Column("credit_light", String(10)),  # NULL: no profile yet (treated as red)
    Column("credit_limit_cents", BigInteger, nullable=False),
    Column("review_threshold_cents", BigInteger, nullable=False),
    Column("exposure_cents", BigInteger, nullable=False),
    Column("open_reviews", Integer, nullable=False),
)
# Which customer's account decided each order: counted per account here, and read by the
# write side (lookups) to find the account of an order event that carries no customer.
Table(
    "credit_order",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("customer_id", String(100), nullable=False),
)
Table(
    "credit_review",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("review_no", Integer, primary_key=True),  # an order changed under review gets another
    Column("customer_id", String(100), nullable=False, index=True),
    Column("amount_cents", BigInteger, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("exposure_at_request_cents", BigInteger, nullable=False),
    Column("status", String(10), nullable=False, index=True),  # open or the outcome
    Column("note", String(1000)),
    Column("decided_by", String(100)),
    Column("decided_at", DateTime(timezone=True)),
    mark_column(),
    # GET /v1/credit/reviews pages by request time: all, by status or customer, and as a feed.
    Index("ix_credit_review_requested_at", "requested_at", "order_id", "review_no"),
    Index(
        "ix_credit_review_status_requested_at", "status", "requested_at", "order_id", "review_no"
    ),
    Index(
        "ix_credit_review_customer_requested_at",
        "customer_id",
        "requested_at",
        "order_id",
        "review_no",
    ),
    Index("ix_credit_review_change_mark", "change_mark", "order_id", "review_no"),
)


@dataclass(frozen=True, slots=True)
class AccountRow(rows.Row):
    table = "credit_account"
    primary_key = ("customer_id",)

    customer_id: str
    credit_light: str | None = None  # no profile yet (treated as red)
    credit_limit_cents: int = 0
    review_threshold_cents: int = 0
    exposure_cents: int = 0
    open_reviews: int = 0


@dataclass(frozen=True, slots=True)
class OrderRow(rows.Row):
    table = "credit_order"
    primary_key = ("order_id",)

    order_id: str
    customer_id: str


@dataclass(frozen=True, slots=True)
class ReviewRow(rows.Row):
    table = "credit_review"
    primary_key = ("order_id", "review_no")

    order_id: str
    review_no: int
    customer_id: str
    amount_cents: int
    reason: str
    requested_at: datetime
    exposure_at_request_cents: int
    status: str = "open"


_PROFILE = ("credit_light", "credit_limit_cents", "review_threshold_cents")


async def project(conn: WriteBehind, event: DomainEvent, envelope: Envelope, _: object) -> None:
    match event:
        case CreditProfileDefined():
            profile = AccountRow(
                event.customer_id,
                credit_light=str(event.credit_light),
                credit_limit_cents=event.credit_limit_cents,
                review_threshold_cents=event.review_threshold_cents,
            )
            await conn.execute(*rows.insert(profile, on_conflict="update", only=_PROFILE))
        case CreditApproved() | CreditReleased():
            await _index_order(conn, event.order_id, event.customer_id)
            await _set_exposure(conn, event.customer_id, event.exposure_cents)
        case CreditReviewRequired():
            await _index_order(conn, event.order_id, event.customer_id)
            await _open_review(conn, event, envelope.occurred_at)
        case CreditReviewClosed():
            await _close_review(conn, event)


async def _set_exposure(conn: WriteBehind, customer_id: str, exposure_cents: int) -> None:
    # The account's exposure after the event: of several in one batch, the last is written,
    # at commit (every order of the customer writes this row: a hot row, see WriteBehind).
    exposure = AccountRow(customer_id, exposure_cents=exposure_cents)
    conn.defer_to_commit(
        ("credit_account.exposure", customer_id),
        *rows.insert(exposure, on_conflict="update", only=("exposure_cents",)),
    )


async def _index_order(conn: Connection, order_id: UUID, customer_id: str) -> None:
    await conn.execute(*rows.insert(OrderRow(str(order_id), customer_id), on_conflict="skip"))


async def _open_review(conn: WriteBehind, event: CreditReviewRequired, at: datetime) -> None:
    await _set_exposure(conn, event.customer_id, event.exposure_cents)
    await conn.execute(*rows.insert(AccountRow(event.customer_id), on_conflict="skip"))
    number = await conn.fetchval(
        "SELECT COALESCE(MAX(review_no), 0) + 1 FROM credit_review WHERE order_id = $1",
        str(event.order_id),
    )
    review = ReviewRow(
        str(event.order_id),
        number,
        event.customer_id,
        amount_cents=event.amount_cents,
        reason=str(event.reason),
        requested_at=at,
        exposure_at_request_cents=event.exposure_cents,
    )
    await conn.execute(*rows.insert(review, mark=changes.now(conn)))
    await conn.execute(
        "UPDATE credit_account SET open_reviews = open_reviews + 1 WHERE customer_id = $1",
        event.customer_id,
    )


async def _close_review(conn: WriteBehind, event: CreditReviewClosed) -> None:
    await conn.execute(
        "UPDATE credit_review SET status = $2, note = $3, decided_by = $4, decided_at = $5,"
        f" change_mark = {changes.now(conn)} WHERE order_id = $1 AND status = 'open'",
        str(event.order_id),
        str(event.outcome),
        event.note,
        event.decided_by,
        event.decided_at,
    )
    await conn.execute(
        "UPDATE credit_account SET open_reviews = open_reviews - 1 WHERE customer_id = $1",
        event.customer_id,
    )


async def account(conn: Connection, customer_id: str) -> CreditAccountPublic:
    row = await conn.fetchrow(
        "SELECT credit_light, credit_limit_cents, review_threshold_cents, exposure_cents,"
        " open_reviews FROM credit_account WHERE customer_id = $1",
        customer_id,
    )
    orders = await conn.fetchval(
        "SELECT count(*) FROM credit_order WHERE customer_id = $1", customer_id
    )
    found = dict(row) if row else _UNKNOWN_ACCOUNT
    return CreditAccountPublic.model_validate(
        {"customer_id": customer_id, **found, "decided_orders": int(orders)}
    )


_UNKNOWN_ACCOUNT = {
    "credit_light": None,
    "credit_limit_cents": 0,
    "review_threshold_cents": 0,
    "exposure_cents": 0,
    "open_reviews": 0,
}

_REVIEW_FIELDS = (
    "r.order_id, r.review_no, r.customer_id, r.amount_cents, r.reason, r.requested_at,"
    " r.exposure_at_request_cents, r.status, r.note, r.decided_by, r.decided_at,"
    " a.exposure_cents, a.credit_limit_cents, a.credit_light"
)
_REVIEWS = "credit_review r JOIN credit_account a ON a.customer_id = r.customer_id"
_REVIEW_COLUMNS = f"SELECT {_REVIEW_FIELDS} FROM {_REVIEWS}"
# The account figures are today's, for deciding now (a feed shows the review's own changes).
REVIEWS = Listing(
    name="reviews",
    source=_REVIEWS,
    columns=_REVIEW_FIELDS,
    order=(("r.requested_at", datetime), ("r.order_id", str), ("r.review_no", int)),
    row_key=(("r.order_id", str), ("r.review_no", int)),
    default="asc",
    alias="r",
)


async def reviews(conn: Connection, where: Where, query: PageQuery) -> Page[ReviewPublic]:
    """A page of reviews (or of their change feed)."""
    found = await fetch(conn, REVIEWS, where, query)
    return found.with_rows([ReviewPublic.from_row(dict(row)) for row in found.rows])


async def latest_review(conn: Connection, order_id: UUID) -> ReviewPublic | None:
    row = await conn.fetchrow(
        _REVIEW_COLUMNS + " WHERE r.order_id = $1 ORDER BY r.review_no DESC LIMIT 1",
        str(order_id),
    )
    return ReviewPublic.from_row(dict(row)) if row else None

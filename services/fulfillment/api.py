"""Fulfillment HTTP API: shipments, invoices, payments, returns and the WMS/TMS callback."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from services.fulfillment import views
from services.fulfillment.commands import ConfirmShipmentStep, ReceiveReturn, RecordPayment
from services.fulfillment.domain.invoice import Invoice
from services.fulfillment.schemas import (
    ConfirmationAccepted,
    ConfirmationCreate,
    InvoicePublic,
    PaymentCreate,
    PaymentRecordedPublic,
    ReturnPublic,
    ReturnReceiptCreate,
    ShipmentPublic,
)
from shared import paging
from shared.auth import Ops, Staff
from shared.idempotency import OnceByKey, OnceByOptionalKey
from shared.runtime import ServiceRuntime, runtime_of

ShipmentStatus = Literal[
    "waiting", "picking", "picked", "packed", "shipped", "delivered", "cancelled"
]
CustomerFilter = Annotated[str | None, Query(max_length=200)]

Runtime = Annotated[ServiceRuntime, runtime_of("fulfillment")]

router = APIRouter(prefix="/v1", tags=["fulfillment"])


@router.get("/shipments", response_model=list[ShipmentPublic], responses=paging.LINKED)
async def shipments(
    _: Staff,
    request: Request,
    response: Response,
    page: paging.Paging,
    runtime: Runtime,
    order_id: UUID | None = None,
    status: ShipmentStatus | None = None,
    customer_id: CustomerFilter = None,
    from_: paging.From = None,
    to: paging.To = None,
) -> list[ShipmentPublic]:
    """Shipments (one per release), newest planned first (`order=asc`: oldest first), by
    order, status, customer and when planned; `updated_since`: a change feed. The next page
    is in the `Link` header."""
    where = _filters(order_id, status, customer_id).between("planned_at", from_, to)
    async with runtime.db.transaction() as conn:
        found = await views.shipments.shipments(conn, where, page)
    return paging.linked(request, response, found)


@router.get("/invoices", response_model=list[InvoicePublic], responses=paging.LINKED)
async def invoices(
    _: Staff,
    request: Request,
    response: Response,
    page: paging.Paging,
    runtime: Runtime,
    order_id: UUID | None = None,
    status: Literal["open", "paid"] | None = None,
    customer_id: CustomerFilter = None,
    from_: paging.From = None,
    to: paging.To = None,
) -> list[InvoicePublic]:
    """Invoices (one per shipped shipment), newest first (`order=asc`: oldest first), by
    order, status, customer and when issued; `updated_since`: a change feed (payments
    too). The next page is in the `Link` header."""
    where = _filters(order_id, status, customer_id).between("issued_at", from_, to)
    async with runtime.db.transaction() as conn:
        found = await views.invoices.invoices(conn, where, page)
    return paging.linked(request, response, found)


@router.post("/payments", status_code=status.HTTP_201_CREATED, response_model=PaymentRecordedPublic)
async def pay(
    body: PaymentCreate,
    principal: Ops,
    runtime: Runtime,
    once: OnceByKey,
) -> Any:
    """Record a payment against an invoice; more than its open amount is refused (422)."""
    command = RecordPayment(invoice_id=body.invoice_id, amount_cents=body.amount_cents)

    async def act() -> PaymentRecordedPublic:
        invoice = await runtime.send(command)
        return _payment_recorded(invoice)

    async def invoice_now() -> PaymentRecordedPublic:
        invoice = await runtime.current(Invoice, str(body.invoice_id))
        assert invoice is not None, "a payment was recorded against it"
        return _payment_recorded(invoice)

    return await once.run(
        runtime.db, principal=principal.name, body=body, act=act, answer_again=invoice_now
    )


@router.get("/returns", response_model=list[ReturnPublic], responses=paging.LINKED)
async def returns(
    _: Staff,
    request: Request,
    response: Response,
    page: paging.Paging,
    runtime: Runtime,
    order_id: UUID | None = None,
    status: Literal["authorised", "received"] | None = None,
    from_: paging.From = None,
    to: paging.To = None,
) -> list[ReturnPublic]:
    """Returns the order service authorised, what arrived of them and their credit notes,
    newest first (`order=asc`: oldest first), by order, status and when authorised;
    `updated_since`: a change feed (received, credited). The next page is in the `Link`
    header."""
    where = _filters(order_id, status, None).between("authorised_at", from_, to)
    async with runtime.db.transaction() as conn:
        found = await views.returns.returns(conn, where, page)
    return paging.linked(request, response, found)


@router.post(
    "/returns/{return_id}/receipt",
    status_code=status.HTTP_201_CREATED,
    response_model=ReturnPublic,
)
async def receive_return(
    return_id: UUID,
    body: ReturnReceiptCreate,
    principal: Ops,
    runtime: Runtime,
    once: OnceByKey,
) -> Any:
    """Receive a return's goods as inspected (restock or quarantine); they are credited
    against the invoices that billed them. Once per return (409 after)."""
    lines = tuple(line.model_dump() for line in body.lines)
    command = ReceiveReturn.model_validate({"return_id": return_id, "lines": lines})

    async def act() -> ReturnPublic:
        await runtime.send(command)
        async with runtime.db.transaction() as conn:
            received = await views.returns.one_return(conn, str(return_id))
        assert received is not None, "the receipt's transaction projected it"
        return received

    return await once.run(runtime.db, principal=principal.name, body=body, act=act)


@router.post(
    "/fulfillment/confirmations",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ConfirmationAccepted,
)
async def confirm(
    body: ConfirmationCreate,
    principal: Ops,
    runtime: Runtime,
    once: OnceByOptionalKey,
) -> Any:
    """A WMS/TMS confirmation by HTTP callback (Picked, Packed, Shipped, Delivered)."""
    command = ConfirmShipmentStep(**body.model_dump())

    async def act() -> ConfirmationAccepted:
        shipment_status = await runtime.send(command)
        return ConfirmationAccepted(shipment_id=body.shipment_id, status=shipment_status)

    return await once.run(runtime.db, principal=principal.name, body=body, act=act)


def _filters(order_id: UUID | None, status: str | None, customer_id: str | None) -> paging.Where:
    """A shipment's, invoice's or return's filters; a change feed may be one order's."""
    return (
        paging.Where()
        .equal("order_id", str(order_id) if order_id else None, feed=True)
        .equal("status", status)
        .equal("customer_id", customer_id)
    )


def _payment_recorded(invoice: Invoice) -> PaymentRecordedPublic:
    return PaymentRecordedPublic(
        invoice_id=invoice.issued.invoice_id,
        order_id=invoice.issued.order_id,
        total_cents=invoice.issued.total_cents,
        paid_cents=invoice.paid_cents,
        open_cents=invoice.open_cents,
        status=invoice.status or "open",
    )


ROUTERS = (router,)

"""Fulfillment HTTP API: shipments, invoices, payments, returns and the WMS/TMS callback."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response, status

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
from shared.auth import Ops, Staff
from shared.idempotency import IdempotencyKey, OptionalIdempotencyKey, once
from shared.runtime import ServiceRuntime


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    router = APIRouter(prefix="/v1", tags=["fulfillment"])

    @router.get("/shipments", response_model=list[ShipmentPublic])
    async def shipments(_: Staff, order_id: UUID | None = None) -> list[ShipmentPublic]:
        """Shipments (one per release), optionally of one order."""
        async with runtime.db.transaction() as conn:
            rows = await views.shipments.shipments(conn, str(order_id) if order_id else None)
        return [ShipmentPublic.model_validate(row) for row in rows]

    @router.get("/invoices", response_model=list[InvoicePublic])
    async def invoices(_: Staff, order_id: UUID | None = None) -> list[InvoicePublic]:
        """Invoices (one per shipped shipment), optionally of one order."""
        async with runtime.db.transaction() as conn:
            rows = await views.invoices.invoices(conn, str(order_id) if order_id else None)
        return [InvoicePublic.model_validate(row) for row in rows]

    @router.post(
        "/payments", status_code=status.HTTP_201_CREATED, response_model=PaymentRecordedPublic
    )
    async def pay(
        body: PaymentCreate,
        request: Request,
        response: Response,
        principal: Ops,
        key: IdempotencyKey,
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

        return await once(
            runtime.db,
            request,
            response,
            principal=principal.name,
            key=key,
            body=body,
            act=act,
            answer_again=invoice_now,
        )

    @router.get("/returns", response_model=list[ReturnPublic])
    async def returns(_: Staff, order_id: UUID | None = None) -> list[ReturnPublic]:
        """Returns the order service authorised, what arrived of them and their credit notes."""
        async with runtime.db.transaction() as conn:
            rows = await views.returns.returns(conn, order_id=str(order_id) if order_id else None)
        return [ReturnPublic.model_validate(row) for row in rows]

    @router.post(
        "/returns/{return_id}/receipt",
        status_code=status.HTTP_201_CREATED,
        response_model=ReturnPublic,
    )
    async def receive_return(
        return_id: UUID,
        body: ReturnReceiptCreate,
        request: Request,
        response: Response,
        principal: Ops,
        key: IdempotencyKey,
    ) -> Any:
        """Receive a return's goods as inspected (restock or quarantine); they are credited
        against the invoices that billed them. Once per return (409 after)."""
        lines = tuple(line.model_dump() for line in body.lines)
        command = ReceiveReturn.model_validate({"return_id": return_id, "lines": lines})

        async def act() -> ReturnPublic:
            await runtime.send(command)
            async with runtime.db.transaction() as conn:
                [received] = await views.returns.returns(conn, return_id=str(return_id))
            return ReturnPublic.model_validate(received)

        return await once(
            runtime.db, request, response, principal=principal.name, key=key, body=body, act=act
        )

    @router.post(
        "/fulfillment/confirmations",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=ConfirmationAccepted,
    )
    async def confirm(
        body: ConfirmationCreate,
        request: Request,
        response: Response,
        principal: Ops,
        key: OptionalIdempotencyKey = None,
    ) -> Any:
        """A WMS/TMS confirmation by HTTP callback (Picked, Packed, Shipped, Delivered)."""
        command = ConfirmShipmentStep(**body.model_dump())

        async def act() -> ConfirmationAccepted:
            shipment_status = await runtime.send(command)
            return ConfirmationAccepted(shipment_id=body.shipment_id, status=shipment_status)

        return await once(
            runtime.db, request, response, principal=principal.name, key=key, body=body, act=act
        )

    return [router]


def _payment_recorded(invoice: Invoice) -> PaymentRecordedPublic:
    return PaymentRecordedPublic(
        invoice_id=invoice.issued.invoice_id,
        order_id=invoice.issued.order_id,
        total_cents=invoice.issued.total_cents,
        paid_cents=invoice.paid_cents,
        open_cents=invoice.open_cents,
        status=invoice.status or "open",
    )

"""Fulfillment HTTP API: shipments, invoices, payments and the WMS/TMS callback."""

from uuid import UUID

from fastapi import APIRouter, status

from services.fulfillment import views
from services.fulfillment.commands import ConfirmShipmentStep, RecordPayment
from services.fulfillment.schemas import (
    ConfirmationAccepted,
    ConfirmationCreate,
    InvoicePublic,
    PaymentCreate,
    PaymentRecordedPublic,
    ShipmentPublic,
)
from shared.auth import Ops, Staff
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
    async def pay(body: PaymentCreate, _: Ops) -> PaymentRecordedPublic:
        """Record a payment against an invoice; more than its open amount is refused (422)."""
        command = RecordPayment(invoice_id=body.invoice_id, amount_cents=body.amount_cents)
        invoice = await runtime.send(command)
        return PaymentRecordedPublic(
            invoice_id=body.invoice_id,
            order_id=invoice.issued.order_id,
            total_cents=invoice.issued.total_cents,
            paid_cents=invoice.paid_cents,
            open_cents=invoice.open_cents,
            status=invoice.status or "open",
        )

    @router.post(
        "/fulfillment/confirmations",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=ConfirmationAccepted,
    )
    async def confirm(body: ConfirmationCreate, _: Ops) -> ConfirmationAccepted:
        """A WMS/TMS confirmation by HTTP callback (Picked, Packed, Shipped, Delivered)."""
        command = ConfirmShipmentStep(**body.model_dump())
        shipment_status = await runtime.send(command)
        return ConfirmationAccepted(shipment_id=body.shipment_id, status=shipment_status)

    return [router]

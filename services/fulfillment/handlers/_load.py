"""Loading the aggregates every use case needs, with the error a missing one means."""

from uuid import UUID

from services.fulfillment.domain import CustomerReturn, Invoice, Shipment
from shared.errors import NotFoundError
from shared.unit_of_work import UnitOfWork


class ShipmentNotFoundError(NotFoundError):
    def __init__(self, shipment_id: UUID) -> None:
        super().__init__(f"shipment {shipment_id} is unknown to fulfillment")


class InvoiceNotFoundError(NotFoundError):
    def __init__(self, invoice_id: UUID) -> None:
        super().__init__(f"invoice {invoice_id} not found")


class ReturnNotFoundError(NotFoundError):
    def __init__(self, return_id: UUID) -> None:
        super().__init__(
            f"return {return_id} is unknown to the warehouse: the order service authorises"
            " returns (POST /v1/orders/{order_id}/returns), and it may not have arrived yet"
        )


async def shipment(uow: UnitOfWork, shipment_id: UUID) -> Shipment:
    found = await uow.get(Shipment, str(shipment_id))
    if found is None:
        # A confirmation for a shipment we never planned is a foreign or lost hand-off: on a
        # topic it is retried, then dead-lettered (and the andon sees it); over HTTP it is a 404.
        raise ShipmentNotFoundError(shipment_id)
    return found


async def customer_return(uow: UnitOfWork, return_id: UUID) -> CustomerReturn:
    found = await uow.get(CustomerReturn, str(return_id))
    if found is None or found.authorised is None:
        raise ReturnNotFoundError(return_id)
    return found


async def invoice(uow: UnitOfWork, invoice_id: UUID) -> Invoice:
    found = await uow.get(Invoice, str(invoice_id))
    if found is None:
        raise InvoiceNotFoundError(invoice_id)
    return found

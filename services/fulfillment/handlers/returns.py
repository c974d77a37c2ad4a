"""Customer returns: the order service authorises them, the warehouse receives and inspects the
goods, and they are credited against the invoices that billed them."""

from collections import Counter

from services.fulfillment import inbound, lookups
from services.fulfillment.commands import ReceiveReturn
from services.fulfillment.domain import CustomerReturn, Invoice, credit_plan
from services.fulfillment.events import ReceivedLine, ReturnedLine, ReturnReceived
from services.fulfillment.handlers import _load
from shared import context
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def expect_goods_when_return_recorded(
    event: inbound.ReturnRecorded, _: Envelope, uow: UnitOfWork
) -> None:
    if event.return_id is None:
        return  # recorded before returns were received here: nobody will bring its goods in
    customer_return = await uow.get_or_create(CustomerReturn, str(event.return_id))
    customer_return.authorise(
        order_id=event.order_id,
        return_no=event.return_no,
        lines=[ReturnedLine(sku=line.sku, quantity=line.quantity) for line in event.lines],
        reason=event.reason,
    )


async def receive_return(cmd: ReceiveReturn, uow: UnitOfWork) -> ReturnReceived:
    async with uow:
        customer_return = await _load.customer_return(uow, cmd.return_id)
        lines = [ReceivedLine.model_validate(line.model_dump()) for line in cmd.lines]
        with context.flow(customer_return.order_id):
            received = customer_return.receive(lines)
            await _credit(uow, received)
            await uow.commit()
    return received


async def _credit(uow: UnitOfWork, received: ReturnReceived) -> None:
    """Credit notes for every unit received, restocked or quarantined alike: the customer
    sent back what the return authorised, and inspection decides only where it goes."""
    units: Counter[str] = Counter()
    for line in received.lines:
        units[line.sku] += line.quantity
    invoice_ids = await lookups.invoice_ids_of_order(uow.conn, str(received.order_id))
    invoices = await uow.get_all(Invoice, invoice_ids)
    in_issue_order = [invoices[invoice_id] for invoice_id in invoice_ids]
    for invoice, credited in credit_plan(units, in_issue_order):
        invoice.credit(received.return_id, credited)

"""Payments against invoices (ops input); the last one settles the invoice."""

from services.fulfillment.commands import RecordPayment
from services.fulfillment.domain import Invoice
from services.fulfillment.handlers import _load
from shared import context
from shared.unit_of_work import UnitOfWork


async def record_payment(cmd: RecordPayment, uow: UnitOfWork) -> Invoice:
    async with uow:
        invoice = await _load.invoice(uow, cmd.invoice_id)
        with context.flow(invoice.issued.order_id):
            invoice.record_payment(cmd.amount_cents)
            await uow.commit()
    return invoice

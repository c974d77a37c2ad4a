"""Returns: units of a shipped order authorised to come back (the andon service counts them as
defects), and what the warehouse then received and credited, recorded for the timeline."""

from services.order import inbound
from services.order.commands import RecordReturn
from services.order.domain import CreditNote
from services.order.events import ReceivedUnits, ReturnRecorded, ShippedLine
from services.order.handlers.credit_answers import reply_to
from services.order.handlers.loading import order_answered, order_of
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def record_return(cmd: RecordReturn, uow: UnitOfWork) -> ReturnRecorded:
    async with uow:
        order = await order_of(uow, cmd.order_id, cmd.channel)
        lines = [ShippedLine(sku=line.sku, quantity=line.quantity) for line in cmd.lines]
        recorded = order.record_return(lines, cmd.reason)
        await uow.commit()
    return recorded


async def record_receipt_when_return_received(
    event: inbound.ReturnReceived, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    lines = [ReceivedUnits.model_validate(line.model_dump()) for line in event.lines]
    order.record_return_receipt(reply_to(envelope), event.return_id, lines)


async def record_credit_note_when_credit_note_issued(
    event: inbound.CreditNoteIssued, envelope: Envelope, uow: UnitOfWork
) -> None:
    order = await order_answered(uow, event.order_id)
    note = CreditNote(
        credit_note_id=event.credit_note_id,
        invoice_id=event.invoice_id,
        return_id=event.return_id,
        total_cents=event.total_cents,
        applied_cents=event.applied_cents,
        refund_cents=event.refund_cents,
    )
    order.record_credit_note(reply_to(envelope), note)

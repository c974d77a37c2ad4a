"""Andon use cases."""

from uuid import NAMESPACE_URL, uuid5

from services.andon import inbound
from services.andon.domain import AndonPull
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def raise_andon_when_message_dead_lettered(
    event: inbound.MessageDeadLettered, envelope: Envelope, uow: UnitOfWork
) -> None:
    pull_id = str(uuid5(NAMESPACE_URL, f"gapless-andon:{envelope.event_id}"))
    pull = await uow.get(AndonPull, pull_id) or AndonPull(pull_id)
    uow.add(pull)
    pull.raise_for_dead_letter(
        group=event.group,
        reason=f"dead letter in {event.group}: {event.reason}",
        details=event.model_dump(),
    )

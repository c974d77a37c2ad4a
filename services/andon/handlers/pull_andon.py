"""Pull an andon: by anyone with a staff key, or automatically on a dead letter."""

from uuid import UUID

from services.andon import inbound
from services.andon.commands import PullAndon
from services.andon.domain import Pull
from services.andon.events import Category, TargetKind
from services.andon.handlers.cord import pull_cord, refuse_unknown
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork

DEAD_LETTER_WATCH = "dead-letter-watch"


async def pull_andon(cmd: PullAndon, uow: UnitOfWork) -> tuple[UUID, bool]:
    """Returns the pull id and whether the pull is new (False: joined the target's open pull)."""
    async with uow:
        await refuse_unknown(uow, cmd.target_kind, cmd.target_id)
        pull = Pull(reason=cmd.reason, category=cmd.category, pulled_by=cmd.pulled_by)
        pull_id, new = await pull_cord(uow, cmd.target_kind, cmd.target_id, pull, now=uow.now())
        await uow.commit()
    return pull_id, new


async def pull_andon_when_message_dead_lettered(
    event: inbound.MessageDeadLettered, envelope: Envelope, uow: UnitOfWork
) -> None:
    """A message a consumer could not process stops that step until someone looks."""
    pull = Pull(
        reason=f"dead letter in {event.group}: {event.reason}",
        category=Category.PROCESS,
        pulled_by=DEAD_LETTER_WATCH,
        automatic=True,
        details=event.model_dump(),
    )
    await pull_cord(uow, TargetKind.STEP, event.group, pull, now=envelope.occurred_at)

"""What the andon service takes from the order service's policy: the defect rule and the
deadlines of waiting states."""

from services.andon import inbound
from services.andon.domain import DeadlinePolicy, Deadlines
from services.andon.handlers.defects import adopt_defect_rule
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


async def adopt_policy_when_policy_changed(
    event: inbound.PolicyChanged, _: Envelope, uow: UnitOfWork
) -> None:
    await adopt_defect_rule(event, uow)
    if event.deadlines is not None:  # a policy older than deadlines keeps the ones in force
        policy = await uow.get_or_create(DeadlinePolicy, DeadlinePolicy.ID)
        policy.adopt(Deadlines(**event.deadlines.model_dump()))

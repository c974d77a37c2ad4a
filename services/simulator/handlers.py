"""Simulator use cases: take requests on the floor, answer them when due, be tuned by ops."""

import random
from dataclasses import dataclass, field
from uuid import UUID

from services.simulator import inbound, lookups
from services.simulator.commands import AnswerDueTasks, TuneSimulator
from services.simulator.domain import SimulatorSettings, Task, task_id_for
from services.simulator.events import ShipTo, TaskKind, TaskLine
from shared import context
from shared.clock import Clock, SystemClock
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork

BATCH = 200


async def current_settings(uow: UnitOfWork) -> SimulatorSettings:
    return await uow.get(SimulatorSettings, SimulatorSettings.ID) or SimulatorSettings()


@dataclass
class Simulation:
    """The handlers, bound to a clock and a source of randomness that tests replace."""

    clock: Clock = field(default_factory=SystemClock)
    rng: random.Random = field(default_factory=random.Random)

    async def take_pick_when_pick_requested(
        self, event: inbound.Request, _: Envelope, uow: UnitOfWork
    ) -> None:
        await self._take(uow, TaskKind.PICK, event)

    async def take_shipment_when_shipment_requested(
        self, event: inbound.ShipmentRequest, _: Envelope, uow: UnitOfWork
    ) -> None:
        await self._take(uow, TaskKind.SHIP, event, ship_to=_address(event.ship_to))

    async def readdress_shipment_when_shipment_request_amended(
        self, event: inbound.ShipmentRequest, _: Envelope, uow: UnitOfWork
    ) -> None:
        task = await uow.get(Task, task_id_for(TaskKind.SHIP, event.shipment_id))
        ship_to = _address(event.ship_to)
        if task is not None and ship_to is not None:
            task.amend(ship_to)

    async def drop_pick_when_pick_cancelled(
        self, event: inbound.Request, _: Envelope, uow: UnitOfWork
    ) -> None:
        await self._drop(uow, TaskKind.PICK, event)

    async def drop_shipment_when_shipment_request_cancelled(
        self, event: inbound.Request, _: Envelope, uow: UnitOfWork
    ) -> None:
        await self._drop(uow, TaskKind.SHIP, event)

    async def _take(
        self,
        uow: UnitOfWork,
        kind: TaskKind,
        event: inbound.Request,
        *,
        ship_to: ShipTo | None = None,
    ) -> None:
        task_id = task_id_for(kind, event.shipment_id)
        task = await uow.get_or_create(Task, task_id)
        task.receive(
            kind=kind,
            shipment_id=event.shipment_id,
            order_id=event.order_id,
            settings=await current_settings(uow),
            now=self.clock.now(),
            roll=self.rng.random(),
            lines=[
                TaskLine(sku=line.sku, quantity=line.quantity)
                for line in event.lines
                if line.quantity > 0
            ],
            short_roll=self.rng.random(),
            ship_to=ship_to,
        )

    async def _drop(self, uow: UnitOfWork, kind: TaskKind, event: inbound.Request) -> None:
        task = await uow.get(Task, task_id_for(kind, event.shipment_id))
        if task is not None:
            task.cancel()

    async def answer_due_tasks(self, _: AnswerDueTasks, uow: UnitOfWork) -> int:
        """Send the confirmations of every task due now; returns how many tasks were answered.

        A second replica answering the same task loses the append race and, on its retry,
        finds the task answered."""
        now = self.clock.now()
        async with uow:
            settings = await current_settings(uow)
            if settings.current.paused:
                return 0
            due = await lookups.due_tasks(uow.conn, now=now, limit=BATCH)
            tasks = await uow.get_all(Task, [task_id for task_id, _ in due])
            for task_id, order_id in due:
                task = tasks.get(task_id)
                assert task is not None, f"task {task_id} is in the read model only"
                # Each answer belongs to its order's flow, so flush the tasks one by one.
                with context.flow(UUID(order_id)):
                    task.answer(settings=settings, now=now)
                    await uow.flush()
            await uow.commit()
        return len(due)


def _address(ship_to: inbound.Address | None) -> ShipTo | None:
    return ShipTo.model_validate(ship_to.model_dump()) if ship_to is not None else None


async def tune_simulator(cmd: TuneSimulator, uow: UnitOfWork) -> SimulatorSettings:
    async with uow:
        settings = await current_settings(uow)
        uow.add(settings)
        changes = cmd.model_dump(exclude_none=True)
        settings.tune(settings.current.model_copy(update=changes))
        await uow.commit()
    return settings

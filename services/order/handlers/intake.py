"""Order intake: idempotency, validation, segment and priority, pattern check, OrderPlaced."""

from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from services.order.commands import PlaceOrder
from services.order.domain import (
    POLICY_ID,
    Customer,
    Intake,
    Order,
    ServicePolicy,
    order_terms,
    unusual_order,
)
from services.order.handlers.loading import catalog_items, priced, unknown_skus
from services.order.views import andon, queries
from shared import context
from shared.errors import InvalidRequestError
from shared.unit_of_work import UnitOfWork


class IdempotencyKeyReusedError(InvalidRequestError):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was already used with a different request body",
            errors=[{"field": "header.Idempotency-Key", "message": "reused with another body"}],
        )


async def place_orders(
    cmds: Sequence[PlaceOrder], uow: UnitOfWork
) -> list[UUID | InvalidRequestError]:
    """Orders that arrived together, in one transaction: each its order id or why it was
    refused. They are decided in arrival order, each seeing the ones before it (history)."""
    async with uow:
        keys = [(cmd.channel, cmd.idempotency_key) for cmd in cmds]
        answers = await queries.idempotent_answers(uow.conn, keys)
        await uow.get_all(Customer, [cmd.customer_id for cmd in cmds])
        await catalog_items(uow, [line.sku for cmd in cmds for line in cmd.lines])
        outcomes: list[UUID | InvalidRequestError] = []
        accepted: list[PlaceOrder] = []
        for cmd in cmds:
            earlier = answers.get((cmd.channel, cmd.idempotency_key))
            if earlier is not None:
                same = earlier[0] == cmd.request_hash
                outcomes.append(
                    UUID(earlier[1]) if same else IdempotencyKeyReusedError(cmd.idempotency_key)
                )
                continue
            # Each order is its own flow: its events carry its id as correlation id.
            with context.flow(cmd.order_id):
                try:
                    uow.add(await _decide(cmd, uow))
                except InvalidRequestError as refused:
                    outcomes.append(refused)
                    continue
                await uow.flush()  # the next order's pattern check sees this one
            answers[(cmd.channel, cmd.idempotency_key)] = (cmd.request_hash, str(cmd.order_id))
            accepted.append(cmd)
            outcomes.append(cmd.order_id)
        # A concurrent request with one of these keys fails the batch on the unique key, and
        # its retry (run_command) then finds that answer.
        await queries.remember_idempotency_keys(
            uow.conn,
            [(c.channel, c.idempotency_key, c.request_hash, str(c.order_id)) for c in accepted],
        )
        await uow.commit()
    return outcomes


async def _decide(cmd: PlaceOrder, uow: UnitOfWork) -> Order:
    customer = await uow.get(Customer, cmd.customer_id)
    items = await catalog_items(uow, [line.sku for line in cmd.lines])
    errors = unknown_skus(cmd.lines, items)
    if customer is None or customer.definition is None:
        errors.insert(
            0, {"field": "customer_id", "message": f"unknown customer {cmd.customer_id!r}"}
        )
    if errors:
        raise InvalidRequestError("the order names unknown customers or SKUs", errors=errors)
    assert customer is not None
    policy = (await uow.get(ServicePolicy, POLICY_ID) or ServicePolicy()).current
    lines = priced(cmd.lines, items)
    accepted_at = uow.now()
    intake = Intake(
        customer_id=cmd.customer_id,
        channel=cmd.channel,
        external_id=cmd.external_id,
        ship_to=cmd.ship_to,
        terms=order_terms(
            policy,
            customer_class=customer.customer_class,
            item_classes=[items[line.sku].item_class for line in lines],
            tier=customer.tier,
            accepted_at=accepted_at,
        ),
        received_at=cmd.received_at,
        accepted_at=accepted_at,
    )
    history = await queries.customer_history(
        uow.conn, cmd.customer_id, [line.sku for line in lines]
    )
    return Order.place(
        cmd.order_id,
        intake,
        lines,
        unusual=unusual_order(history, lines, policy.pattern_check),
        confirm_within=timedelta(minutes=policy.pattern_check.confirmation_timeout_minutes),
        stops=await andon.open_stops(uow.conn, cmd.customer_id, [line.sku for line in lines]),
    )

"""Order intake: idempotency, validation, segment and priority, pattern check, OrderPlaced."""

from collections.abc import Sequence
from dataclasses import dataclass
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
from services.order.lookups import andon, history, orders, requests
from shared import context
from shared.errors import DomainError, InvalidRequestError
from shared.unit_of_work import UnitOfWork


class ExternalIdReusedError(DomainError):
    """The channel already placed another order under this external id (409)."""

    def __init__(self, external_id: str, order_id: str) -> None:
        super().__init__(
            f"external_id {external_id!r} already names order {order_id} with another body;"
            " a retry must send the same body, a new order a new external_id"
        )


class IdempotencyKeyReusedError(InvalidRequestError):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was already used with a different request body",
            errors=[{"field": "header.Idempotency-Key", "message": "reused with another body"}],
        )


@dataclass(frozen=True)
class Accepted:
    """The order a request placed (or placed before, when it is a retry) and its status."""

    order_id: UUID
    status: str


async def place_orders(cmds: Sequence[PlaceOrder], uow: UnitOfWork) -> list[Accepted | DomainError]:
    """Orders that arrived together, in one transaction: each its order or why it was refused.
    They are decided in arrival order, each seeing the ones before it (history).

    A retry is answered with the order it placed: found by its Idempotency-Key, or by the
    channel's own `external_id` when the retry came under a new key (the same body only).
    """
    async with uow:
        keys = [(cmd.channel, cmd.idempotency_key) for cmd in cmds]
        answers = await requests.idempotent_answers(uow.conn, keys)
        refs = [(cmd.channel, cmd.external_id) for cmd in cmds if cmd.external_id is not None]
        placed = await requests.orders_by_external_id(uow.conn, refs)
        await uow.get_all(Customer, [cmd.customer_id for cmd in cmds])
        await catalog_items(uow, [line.sku for cmd in cmds for line in cmd.lines])
        outcomes: list[UUID | Order | DomainError] = []
        new_keys: list[tuple[str, str, str, str]] = []
        new_refs: list[tuple[str, str, str, str]] = []
        for cmd in cmds:
            key = (cmd.channel, cmd.idempotency_key)
            ref = (cmd.channel, cmd.external_id) if cmd.external_id is not None else None
            earlier = answers.get(key) or (placed.get(ref) if ref else None)
            if earlier is not None:
                outcomes.append(_retried(cmd, earlier, by_key=key in answers))
                if key not in answers and earlier[0] == cmd.request_hash:
                    answers[key] = earlier  # the new key now answers the same order too
                    new_keys.append((*key, *earlier))
                continue
            # Each order is its own flow: its events carry its id as correlation id.
            with context.flow(cmd.order_id):
                try:
                    order = await _decide(cmd, uow)
                except InvalidRequestError as refused:
                    outcomes.append(refused)
                    continue
                uow.add(order)
                await uow.flush()  # the next order's pattern check sees this one
            answer = (cmd.request_hash, str(cmd.order_id))
            answers[key] = answer
            new_keys.append((*key, *answer))
            if ref is not None:
                placed[ref] = answer
                new_refs.append((*ref, *answer))
            outcomes.append(order)
        # A concurrent request with one of these keys or external ids fails the batch on the
        # unique key, and its retry (run_command) then finds that answer.
        await requests.remember_idempotency_keys(uow.conn, new_keys)
        await requests.remember_external_ids(uow.conn, new_refs)
        retried = [str(o) for o in outcomes if isinstance(o, UUID)]
        statuses = await orders.order_statuses(uow.conn, retried)
        await uow.commit()
    return [_accepted(outcome, statuses) for outcome in outcomes]


def _retried(cmd: PlaceOrder, earlier: tuple[str, str], *, by_key: bool) -> UUID | DomainError:
    request_hash, order_id = earlier
    if request_hash == cmd.request_hash:
        return UUID(order_id)
    if by_key:
        return IdempotencyKeyReusedError(cmd.idempotency_key)
    return ExternalIdReusedError(cmd.external_id or "", order_id)


def _accepted(
    outcome: UUID | Order | DomainError, statuses: dict[str, str]
) -> Accepted | DomainError:
    if isinstance(outcome, Order):
        return Accepted(outcome.order_id, outcome.status)
    if isinstance(outcome, UUID):
        return Accepted(outcome, statuses.get(str(outcome), "pending"))
    return outcome


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
    past = await history.customer_history(uow.conn, cmd.customer_id, [line.sku for line in lines])
    return Order.place(
        cmd.order_id,
        intake,
        lines,
        unusual=unusual_order(past, lines, policy.pattern_check),
        confirm_within=timedelta(minutes=policy.pattern_check.confirmation_timeout_minutes),
        stops=await andon.open_stops(uow.conn, cmd.customer_id, [line.sku for line in lines]),
    )

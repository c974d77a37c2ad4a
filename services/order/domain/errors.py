"""Refusals of order commands (HTTP 409 through the shared error handler)."""

from uuid import UUID

from shared.errors import DomainError


class OrderNotHeldError(DomainError):
    def __init__(self, order_id: UUID) -> None:
        super().__init__(f"order {order_id} is not waiting for a confirmation")


class OrderAlreadyShippedError(DomainError):
    def __init__(self, order_id: UUID, action: str) -> None:
        super().__init__(
            f"order {order_id} has already shipped (in part), so it cannot be {action};"
            " place a new order instead"
        )


class OrderClosedError(DomainError):
    def __init__(self, order_id: UUID, status: str, action: str) -> None:
        super().__init__(f"order {order_id} is {status}, so it cannot be {action}")


class ReleasedUnitsError(DomainError):
    def __init__(self, order_id: UUID, sku: str, released: int) -> None:
        super().__init__(
            f"order {order_id} already sent {released} x {sku} to the warehouse;"
            " a line cannot go below what was released"
        )

"""Customer return: one per return the order service authorised, until its goods are received.

Its own fact with its own id: receiving it needs nothing of the shipment or of any other
service's state about the order, so a return works however long after the sale it comes."""

from collections.abc import Sequence
from uuid import UUID

from services.fulfillment.events import (
    ReceivedLine,
    ReturnAuthorised,
    ReturnedLine,
    ReturnReceived,
)
from shared.aggregate import Aggregate, event_map
from shared.errors import DomainError, InvalidRequestError
from shared.messages import DomainEvent


class ReturnAlreadyReceivedError(DomainError):
    def __init__(self, return_id: str) -> None:
        super().__init__(
            f"the goods of return {return_id} were already received; a further return needs"
            " a new authorisation"
        )


class ReceiptMismatchError(InvalidRequestError):
    def __init__(self, return_id: str, errors: list[dict[str, str]]) -> None:
        super().__init__(
            f"the receipt does not match what return {return_id} authorised", errors=errors
        )


class CustomerReturn(Aggregate):
    stream_type = "customer-return"
    event_classes = event_map(ReturnAuthorised, ReturnReceived)

    def __init__(self, return_id: str) -> None:
        super().__init__(return_id)
        self.authorised: ReturnAuthorised | None = None
        self.received: ReturnReceived | None = None

    @property
    def order_id(self) -> UUID:
        assert self.authorised is not None, "a return exists once authorised"
        return self.authorised.order_id

    def authorise(
        self, *, order_id: UUID, return_no: int, lines: Sequence[ReturnedLine], reason: str
    ) -> None:
        if self.authorised is None:
            self._record(
                ReturnAuthorised(
                    return_id=UUID(self.id),
                    order_id=order_id,
                    return_no=return_no,
                    lines=tuple(lines),
                    reason=reason,
                )
            )

    def receive(self, lines: Sequence[ReceivedLine]) -> ReturnReceived:
        """The goods arrived, inspected line by line; fewer than authorised may come back."""
        authorised = self.authorised
        assert authorised is not None, "only an authorised return is received"
        if self.received is not None:
            raise ReturnAlreadyReceivedError(self.id)
        if errors := receipt_errors(authorised.lines, lines):
            raise ReceiptMismatchError(self.id, errors)
        received = ReturnReceived(
            return_id=UUID(self.id),
            order_id=authorised.order_id,
            return_no=authorised.return_no,
            lines=tuple(lines),
        )
        self._record(received)
        return received

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case ReturnAuthorised():
                self.authorised = event
            case ReturnReceived():
                self.received = event


def receipt_errors(
    authorised: Sequence[ReturnedLine], received: Sequence[ReceivedLine]
) -> list[dict[str, str]]:
    """Received lines must be of SKUs the return authorised, and no more units of each."""
    left = {line.sku: line.quantity for line in authorised}
    errors = []
    for index, line in enumerate(received):
        if line.sku not in left:
            message = f"{line.sku!r} is not on the return"
            errors.append({"field": f"lines.{index}.sku", "message": message})
        elif line.quantity > left[line.sku]:
            message = f"at most {left[line.sku]} more x {line.sku} were authorised"
            errors.append({"field": f"lines.{index}.quantity", "message": message})
        else:
            left[line.sku] -= line.quantity
    return errors

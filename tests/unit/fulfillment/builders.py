"""Events other services send fulfillment, as they look on the topics."""

from datetime import timedelta
from typing import Any
from uuid import UUID

from tests.unit.fulfillment.harness import NOW

ORDER_EVENTS = "order.events"


def released(
    order_id: UUID, *, release_no: int = 1, priority: int = 1, deadline_hours: int = 4
) -> dict[str, Any]:
    return {
        "order_id": str(order_id),
        "release_no": release_no,
        "customer_id": "acme",
        "lines": [
            {"sku": "RETRO-CLOCK", "quantity": 2, "unit_price_cents": 4_999},
            {"sku": "TEAPOT", "quantity": 1, "unit_price_cents": 2_500},
        ],
        "priority": priority,
        "deadline": (NOW + timedelta(hours=deadline_hours)).isoformat(),
        "ship_to": {
            "name": "Ada",
            "line1": "1 Loop",
            "city": "Leeds",
            "postal_code": "LS1",
            "country": "GB",
            "phone": "ignored by a tolerant reader",
        },
        "segment": "AA",
    }

"""Order service aggregates and pure rules: orders, customers, items and the service policy."""

from services.order.domain.andon import AndonPull
from services.order.domain.answers import AddressRefusal, CreditAnswer, Reply
from services.order.domain.changes import Rechecked, affected_by
from services.order.domain.classification import abc_classes
from services.order.domain.customer import Customer
from services.order.domain.holds import AndonStop
from services.order.domain.intake import (
    CustomerHistory,
    OrderTerms,
    order_terms,
    segment_of,
    unusual_order,
)
from services.order.domain.item import CatalogItem
from services.order.domain.order import NOT_CONFIRMED, Intake, Order
from services.order.domain.policy import DEFAULT_POLICY, POLICY_ID, ServicePolicy

__all__ = [
    "DEFAULT_POLICY",
    "NOT_CONFIRMED",
    "POLICY_ID",
    "AddressRefusal",
    "AndonPull",
    "AndonStop",
    "CatalogItem",
    "CreditAnswer",
    "Customer",
    "CustomerHistory",
    "Intake",
    "Order",
    "OrderTerms",
    "Rechecked",
    "Reply",
    "ServicePolicy",
    "abc_classes",
    "affected_by",
    "order_terms",
    "segment_of",
    "unusual_order",
]

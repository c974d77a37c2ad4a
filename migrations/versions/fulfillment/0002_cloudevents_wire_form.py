"""Outbox rows queued by release 0.1 leave in the current CloudEvents form."""

from migrations.steps import CLOUDEVENTS_WIRE_FORM

revision = "fulfillment_0002"
down_revision = "fulfillment_0001"

upgrade, downgrade = CLOUDEVENTS_WIRE_FORM

"""Outbox rows queued by release 0.1 leave in the current CloudEvents form."""

from migrations.steps import CLOUDEVENTS_WIRE_FORM

revision = "credit_0002"
down_revision = "credit_0001"

upgrade, downgrade = CLOUDEVENTS_WIRE_FORM

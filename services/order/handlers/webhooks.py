"""Channel webhooks: register one, rotate its secret, remove it, redrive parked deliveries."""

from services.order.commands import (
    RedriveDeliveries,
    RegisterWebhook,
    RemoveWebhook,
    RotateWebhookSecret,
)
from services.order.domain.webhooks import (
    DeliveryNotFoundError,
    DeliveryNotParkedError,
    WebhookNotFoundError,
    new_secret,
)
from shared.unit_of_work import UnitOfWork

# A changed URL keeps the secret: the channel's receiver goes on verifying as before.
_REGISTER = (
    "INSERT INTO webhook_subscription (channel, url, secret, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $4) ON CONFLICT (channel) DO UPDATE SET url = excluded.url,"
    " updated_at = excluded.updated_at"
)
# A redriven delivery gets its attempts afresh. Only parked rows move, so a repeated redrive
# (or one racing another) never queues a delivery twice.
_REDRIVE = (
    "UPDATE webhook_delivery SET state = 'pending', attempts = 0, next_attempt_at = $2"
    " WHERE channel = $1 AND state = 'parked'"
)


async def register_webhook(cmd: RegisterWebhook, uow: UnitOfWork) -> None:
    async with uow:
        await uow.conn.execute(_REGISTER, cmd.channel, cmd.url, new_secret(), uow.now())
        await uow.commit()


async def rotate_webhook_secret(cmd: RotateWebhookSecret, uow: UnitOfWork) -> str:
    """A new secret signs every request from now on (the old one no longer does)."""
    secret = new_secret()
    async with uow:
        rotated = await uow.conn.fetch(
            "UPDATE webhook_subscription SET secret = $2, updated_at = $3 WHERE channel = $1"
            " RETURNING channel",
            cmd.channel,
            secret,
            uow.now(),
        )
        if not rotated:
            raise WebhookNotFoundError(cmd.channel)
        await uow.commit()
    return secret


async def remove_webhook(cmd: RemoveWebhook, uow: UnitOfWork) -> None:
    """No more deliveries: what was still queued for the channel goes with it."""
    async with uow:
        removed = await uow.conn.fetch(
            "DELETE FROM webhook_subscription WHERE channel = $1 RETURNING channel", cmd.channel
        )
        if not removed:
            raise WebhookNotFoundError(cmd.channel)
        await uow.conn.execute(
            "DELETE FROM webhook_delivery WHERE channel = $1 AND state <> 'delivered'", cmd.channel
        )
        await uow.commit()


async def redrive_deliveries(cmd: RedriveDeliveries, uow: UnitOfWork) -> int:
    """How many parked deliveries went back to the queue."""
    async with uow:
        if cmd.delivery_id is None:
            redriven = await uow.conn.fetch(
                _REDRIVE + " RETURNING delivery_id", cmd.channel, uow.now()
            )
        else:
            found = await uow.conn.fetchrow(
                "SELECT state FROM webhook_delivery WHERE channel = $1 AND delivery_id = $2",
                cmd.channel,
                str(cmd.delivery_id),
            )
            if found is None:
                raise DeliveryNotFoundError(cmd.delivery_id)
            if found["state"] != "parked":
                raise DeliveryNotParkedError(cmd.delivery_id, found["state"])
            redriven = await uow.conn.fetch(
                _REDRIVE + " AND delivery_id = $3 RETURNING delivery_id",
                cmd.channel,
                uow.now(),
                str(cmd.delivery_id),
            )
        await uow.commit()
    return len(redriven)

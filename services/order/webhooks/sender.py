"""Sends the queued webhook deliveries, a round at a time: claimed with one statement, POSTed
concurrently outside any transaction (intake never waits for a channel's server), and their
outcomes recorded with one statement.

Several processes of the order service may send at once: a claim moves the rows' next attempt
past a lease (on PostgreSQL under `FOR UPDATE SKIP LOCKED`, so two claims never take one row;
a SQLite file has one writer), and a process that dies mid-round leaves its rows to be sent
again once the lease ends. Delivery is at least once; receivers deduplicate on `webhook-id`.
"""

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
from prometheus_client import Counter

from services.order.domain.webhooks import Attempted, signature
from services.order.settings import WebhookSettings
from services.order.webhooks.feed import cloudevent
from shared.clock import Clock
from shared.db import Database
from shared.envelope import CONTENT_TYPE

logger = logging.getLogger(__name__)

DELIVERIES = Counter(
    "gapless_webhook_deliveries_total",
    "Webhook delivery attempts by what came of them (delivered, retried or parked)",
    ["outcome"],
)
_OUTCOMES = {"delivered": "delivered", "pending": "retried", "parked": "parked"}

# Due, and the first of its order not yet delivered: a later status never overtakes an earlier
# one, which holds it back while it waits for a retry, is leased by another sender or parked.
_DUE = (
    "SELECT d.*, s.url, s.secret"
    " FROM webhook_delivery d JOIN webhook_subscription s ON s.channel = d.channel"
    " WHERE d.state = 'pending' AND d.next_attempt_at <= $1"
    " AND NOT EXISTS (SELECT 1 FROM webhook_delivery e WHERE e.order_id = d.order_id"
    " AND e.sequence < d.sequence AND e.state <> 'delivered')"
    " ORDER BY d.next_attempt_at LIMIT $2"
)
_LEASE = "UPDATE webhook_delivery SET next_attempt_at = $2 WHERE delivery_id = $1"
# Only a row still pending: a redrive or removal meanwhile is not undone by a late outcome.
_RECORD = (
    "UPDATE webhook_delivery SET state = $2, attempts = $3, next_attempt_at = $4,"
    " last_error = $5, delivered_at = $6 WHERE delivery_id = $1 AND state = 'pending'"
)


class WebhookSender:
    def __init__(
        self, settings: WebhookSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        """`transport`: where requests go instead of the network (tests)."""
        self._settings = settings
        self._policy = settings.retry_policy()
        self._transport = transport

    async def send_all_due(self, db: Database, clock: Clock) -> None:
        """Rounds until nothing is due (a delivered status may have made its successor due)."""
        while await self.send_round(db, clock):
            pass

    async def send_round(self, db: Database, clock: Clock) -> int:
        """Claim up to `in_flight` due deliveries, send them, record how each went; how many."""
        claimed = await self._claim(db, clock.now())
        if not claimed:
            return 0
        limits = httpx.Limits(max_connections=self._settings.in_flight)
        async with httpx.AsyncClient(
            limits=limits, timeout=self._settings.timeout_seconds, transport=self._transport
        ) as client:
            sent_at = clock.now()
            errors = await asyncio.gather(*(self._post(client, row, sent_at) for row in claimed))
        now = clock.now()
        outcomes = [
            self._policy.after(attempts_before=row["attempts"], error=error, now=now)
            for row, error in zip(claimed, errors, strict=True)
        ]
        async with db.transaction() as conn:
            await conn.executemany(
                _RECORD, [_recorded(r, o, now) for r, o in zip(claimed, outcomes, strict=True)]
            )
        _report(claimed, outcomes)
        return len(claimed)

    async def _claim(self, db: Database, now: datetime) -> list[dict[str, Any]]:
        async with db.transaction() as conn:
            lock = " FOR UPDATE OF d SKIP LOCKED" if conn.dialect == "postgresql" else ""
            rows = [
                dict(row) for row in await conn.fetch(_DUE + lock, now, self._settings.in_flight)
            ]
            until = now + self._settings.lease
            await conn.executemany(_LEASE, [(row["delivery_id"], until) for row in rows])
        return rows

    async def _post(
        self, client: httpx.AsyncClient, row: dict[str, Any], at: datetime
    ) -> str | None:
        """None once the channel's server answered 2xx; otherwise what went wrong."""
        webhook_id, timestamp = row["delivery_id"], int(at.timestamp())
        try:
            body = cloudevent(row)
            headers = {
                "content-type": CONTENT_TYPE,
                "webhook-id": webhook_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": signature(
                    row["secret"], webhook_id=webhook_id, timestamp=timestamp, body=body
                ),
            }
            async with asyncio.timeout(self._settings.timeout_seconds):
                # Streamed and never read: a server's answer is its status, whatever its size.
                async with client.stream(
                    "POST", row["url"], content=body, headers=headers
                ) as answer:
                    status = answer.status_code
        except Exception as error:  # noqa: BLE001 - whatever fails a POST fails this attempt
            return f"{type(error).__name__}: {error}"[:500]
        return None if 200 <= status < 300 else f"HTTP {status}"

    async def prune(self, db: Database, clock: Clock) -> int:
        """Delete deliveries delivered longer ago than `keep_delivered_hours`; how many."""
        cutoff = clock.now() - timedelta(hours=self._settings.keep_delivered_hours)
        async with db.transaction() as conn:
            deleted = await conn.fetch(
                "DELETE FROM webhook_delivery WHERE state = 'delivered' AND delivered_at < $1"
                " RETURNING delivery_id",
                cutoff,
            )
        return len(deleted)


def _recorded(row: dict[str, Any], outcome: Attempted, now: datetime) -> Sequence[Any]:
    delivered_at = now if outcome.state == "delivered" else None
    return (
        row["delivery_id"],
        outcome.state,
        outcome.attempts,
        outcome.next_attempt_at,
        outcome.error,
        delivered_at,
    )


def _report(claimed: Sequence[dict[str, Any]], outcomes: Sequence[Attempted]) -> None:
    for row, outcome in zip(claimed, outcomes, strict=True):
        DELIVERIES.labels(_OUTCOMES[outcome.state]).inc()
        if outcome.state == "parked":
            logger.warning(
                "webhook delivery parked after %d attempts: %s",
                outcome.attempts,
                outcome.error,
                extra={"channel": row["channel"], "order_id": row["order_id"]},
            )

"""Apache Kafka adapter (aiokafka). Every default that matters for correctness is set explicitly."""

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    CommitFailedError,
    IllegalStateError,
    TopicAlreadyExistsError,
    for_code,
)

from shared.bus import OutgoingMessage, Publisher, Record, Subscription
from shared.settings import KafkaSettings

logger = logging.getLogger(__name__)


class KafkaBroker:
    def __init__(self, settings: KafkaSettings, *, namespace: str = "") -> None:
        self._settings = settings
        # Topic and group names carry the namespace on the wire only; callers never see it.
        self._prefix = f"{namespace}." if namespace else ""
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        if self._producer is not None:
            return
        producer = AIOKafkaProducer(
            bootstrap_servers=self._settings.bootstrap_servers,
            client_id=self._settings.client_id,
            # acks=all + idempotence: an acknowledged message survives a broker failover and a
            # retried send is never written twice or reordered within its partition.
            acks="all",
            enable_idempotence=True,
            linger_ms=self._settings.linger_ms,
            request_timeout_ms=self._settings.request_timeout_ms,
        )
        try:
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        self._producer = producer

    def _admin(self) -> AIOKafkaAdminClient:
        return AIOKafkaAdminClient(
            bootstrap_servers=self._settings.bootstrap_servers, client_id=self._settings.client_id
        )

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create topics explicitly (brokers run with auto-creation off); existing ones are kept."""
        admin = self._admin()
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            missing = [
                NewTopic(t, self._settings.partitions, self._settings.replication_factor)
                for t in dict.fromkeys(self._prefix + topic for topic in topics)
                if t not in existing
            ]
            if missing:
                response = await admin.create_topics(missing)
                for topic, code, *detail in response.topic_errors:
                    # Another process may have created it between our list and our create.
                    if code not in (0, TopicAlreadyExistsError.errno):
                        raise for_code(code)(f"cannot create topic {topic}: {detail}")
        finally:
            await admin.close()

    def publisher(self) -> Publisher:
        assert self._producer is not None, "KafkaBroker.start() was not awaited"
        return KafkaPublisher(self._producer, self._prefix)

    def subscription(self, topics: Sequence[str], *, group: str) -> Subscription:
        return KafkaSubscription(self._settings, topics, group, self._prefix)

    async def _partitions(self, topic: str) -> list[int]:
        admin = self._admin()
        await admin.start()
        try:
            [described] = await admin.describe_topics([topic])
        finally:
            await admin.close()
        if described["error_code"] != 0:
            raise for_code(described["error_code"])(f"topic {topic!r}")
        return sorted(p["partition"] for p in described["partitions"])

    async def rewind(self, *, group: str, topic: str, since: datetime | None) -> None:
        partitions = await self._partitions(self._prefix + topic)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.bootstrap_servers,
            client_id=f"{self._settings.client_id}-rewind",
            group_id=self._prefix + group,
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            tps = [TopicPartition(self._prefix + topic, p) for p in partitions]
            consumer.assign(tps)
            offsets = await _offsets_at(consumer, tps, since)
            # A commit for an assigned (not subscribed) consumer is refused while the group
            # has live members, which is what protects a running service from being rewound.
            await consumer.commit(offsets)
        finally:
            await consumer.stop()

    async def read(
        self,
        topic: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100_000,
    ) -> list[Record]:
        """Records of `topic` appended from `since` until `until` (or now), without a group:
        what a replay hands to a consumer again. Offsets are per partition here, so a range
        is given in time."""
        name = self._prefix + topic
        partitions = await self._partitions(name)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.bootstrap_servers,
            client_id=f"{self._settings.client_id}-replay",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            tps = [TopicPartition(name, p) for p in partitions]
            consumer.assign(tps)
            ends = await consumer.end_offsets(tps)
            for tp, offset in (await _offsets_at(consumer, tps, since)).items():
                consumer.seek(tp, offset)
            cutoff = int(until.timestamp() * 1000) if until else None
            found: list[Record] = []
            waiting = {tp for tp in tps if await consumer.position(tp) < ends[tp]}
            while waiting and len(found) < limit:
                batches = await consumer.getmany(*waiting, timeout_ms=1000, max_records=500)
                for tp, records in batches.items():
                    for r in records:
                        if r.offset >= ends[tp] or (cutoff is not None and r.timestamp >= cutoff):
                            waiting.discard(tp)
                            break
                        found.append(
                            Record(
                                topic,
                                r.partition,
                                r.offset,
                                r.key,
                                r.value or b"",
                                tuple(r.headers),
                            )
                        )
                    if await consumer.position(tp) >= ends[tp]:
                        waiting.discard(tp)
            return found[:limit]
        finally:
            await consumer.stop()

    async def prune(
        self,
        topics: Sequence[str],  # noqa: ARG002
        *,
        before: datetime,  # noqa: ARG002
        batch_size: int,  # noqa: ARG002
    ) -> int:
        return 0  # the brokers delete by each topic's retention.ms (k8s/base/kafka/topics.yaml)

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None


async def _offsets_at(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition], since: datetime | None
) -> dict[TopicPartition, int]:
    beginning = await consumer.beginning_offsets(tps)
    if since is None:
        return dict(beginning)
    end = await consumer.end_offsets(tps)
    found = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in tps})
    return {tp: found[tp].offset if found.get(tp) else end[tp] for tp in tps}


class KafkaPublisher:
    def __init__(self, producer: AIOKafkaProducer, prefix: str) -> None:
        self._producer = producer
        self._prefix = prefix

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        # Enqueue all, then wait for all acks: batches travel together, and the idempotent
        # producer keeps their order within each partition even across retries.
        pending = [
            await self._producer.send(
                self._prefix + m.topic, m.value, key=m.key.encode(), headers=list(m.headers)
            )
            for m in messages
        ]
        await asyncio.gather(*pending)


class KafkaSubscription:
    def __init__(
        self, settings: KafkaSettings, topics: Sequence[str], group: str, prefix: str
    ) -> None:
        self._prefix = prefix
        self._consumer = AIOKafkaConsumer(
            *(self._prefix + topic for topic in topics),
            bootstrap_servers=settings.bootstrap_servers,
            client_id=f"{settings.client_id}-{group}",
            group_id=self._prefix + group,
            # Offsets are committed only after the database transaction of their effect.
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            session_timeout_ms=settings.session_timeout_ms,
            heartbeat_interval_ms=settings.heartbeat_interval_ms,
            max_poll_interval_ms=settings.max_poll_interval_ms,
            fetch_max_wait_ms=settings.fetch_max_wait_ms,
            request_timeout_ms=settings.request_timeout_ms,
        )

    async def start(self) -> None:
        await self._consumer.start()

    async def fetch(self, *, max_records: int, timeout_ms: int) -> list[Record]:
        batches = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=max_records)
        return [
            Record(
                topic=r.topic.removeprefix(self._prefix),
                partition=r.partition,
                offset=r.offset,
                key=r.key,
                value=r.value or b"",
                headers=tuple(r.headers),
            )
            for records in batches.values()
            for r in records
        ]

    async def commit(self, records: Sequence[Record]) -> None:
        offsets: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(self._prefix + r.topic, r.partition)
            offsets[tp] = max(offsets.get(tp, 0), r.offset + 1)
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as error:
            # The group rebalanced while we worked: the partition's new owner reads these records
            # again from the last committed offset, and its inbox turns them into no-ops.
            logger.warning("offset commit refused after rebalance: %s", error)

    async def lag(self) -> int:
        """End offsets (asked of the broker now) minus the group's committed offsets on this
        member's partitions: it grows while the member is stuck and is 0 once it caught up."""
        assigned = list(self._consumer.assignment())
        if not assigned:
            return 0
        ends = await self._consumer.end_offsets(assigned)
        total = 0
        for tp in assigned:
            committed = await self._consumer.committed(tp)
            total += max(0, ends[tp] - (committed or 0))
        return total

    async def stop(self) -> None:
        await self._consumer.stop()

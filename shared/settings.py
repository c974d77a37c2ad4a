"""Settings from the environment (pydantic-settings); defaults give the embedded configuration."""

from datetime import timedelta
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Requests one process works on at once before it answers 503 + Retry-After instead of queueing
# them: past its capacity, an answer in a second beats one in half a minute (a client's timeout).
MAX_IN_FLIGHT = 128


class KafkaSettings(BaseModel):
    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str = "gapless"
    partitions: int = Field(default=6, ge=1)
    replication_factor: int = Field(default=1, ge=1)
    # Short enough that a dead member's partitions move on within seconds.
    session_timeout_ms: int = Field(default=10_000, ge=1_000)
    heartbeat_interval_ms: int = Field(default=1_000, ge=100)
    max_poll_interval_ms: int = 300_000
    # How long the broker may hold a fetch open while nothing arrives. It answers as soon as data
    # does, so this costs no latency; a long wait only spares idle consumers from busy polling.
    fetch_max_wait_ms: int = 500
    # The relay already publishes in batches: waiting for more would only delay the hand-off.
    linger_ms: int = 0
    request_timeout_ms: int = 30_000


class ConsumerSettings(BaseModel):
    # At most what an aggregate's memory of settled entries holds (shared.aggregate).
    batch_size: int = Field(default=200, ge=1, le=1_000)
    poll_timeout_ms: int = 200
    handler_attempts: int = Field(default=3, ge=1)
    retry_initial_seconds: float = 0.05
    retry_max_seconds: float = 5.0
    # Independent parts of a batch (no shared key, no shared aggregate) applied concurrently,
    # each in its own transaction. A SQLite file takes one writer at a time: there it is 1.
    lanes: int = Field(default=4, ge=1)


class RetentionSettings(BaseModel):
    """How long delivery bookkeeping is kept: the inbox (`processed_message`), the embedded
    local log's records and published outbox rows. The event stores keep every event."""

    # Each is deleted once older than this (an inbox row since it was handled, a log record
    # since it was appended and every consumer group is past it, an outbox row since published).
    period: timedelta = timedelta(days=14)
    # How far back a replay may hand events to one of our consumer groups again (POST /v1/replay
    # `redeliver`, `gapless replay group`): the inbox must still remember what it handled then.
    replay_window: timedelta = timedelta(days=7)
    # How long an Idempotency-Key's answer is kept (shared/idempotency.py): a retry with the same
    # key later than this is a new request. The order service's channel order references
    # (`external_id`) are not bookkeeping and are kept for good.
    idempotency_keys: timedelta = Field(default=timedelta(days=14), ge=timedelta(hours=1))
    # Rows deleted per transaction: a batch holds a SQLite file's write lock for milliseconds.
    batch_size: int = Field(default=1_000, ge=1)
    # How often each process runs its pruning job.
    every: timedelta = Field(default=timedelta(minutes=1), gt=timedelta(0))


class ServiceSettings(BaseSettings):
    """Process settings from GAPLESS_* variables (nested with `__`, e.g. GAPLESS_KAFKA__PARTITIONS).

    One PostgreSQL database serves every service of a deployment, each in a schema named after
    the service, so scale-out processes differ only in which service they run and their port.
    """

    model_config = SettingsConfigDict(
        env_prefix="GAPLESS_", env_nested_delimiter="__", extra="ignore"
    )

    bus: Literal["kafka", "local"] = "local"
    database_url: str = ""
    # Prefixes schema, topic and consumer-group names: deployments can share one database/cluster.
    namespace: str = ""
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    kafka: KafkaSettings = KafkaSettings()
    consumer: ConsumerSettings = ConsumerSettings()
    db_pool_size: int = Field(default=10, ge=1)
    max_in_flight: int = Field(default=MAX_IN_FLIGHT, ge=1)
    seed_demo: bool = False
    # Embedded mode: run every service but the order service in a child process of its own.
    embedded_workers: bool = True
    # Overrides every schedule's own interval (tests and demos run them every fraction of a second).
    schedule_interval_seconds: float | None = Field(default=None, gt=0)
    # Scale-out: `all` serves HTTP and does the event work (consumers, outbox relay, schedules);
    # `api` only serves HTTP (its commands' outbox rows are relayed by the service's workers);
    # `worker` does the event work and serves only what probes and Prometheus read.
    role: Literal["all", "api", "worker"] = "all"
    # `apply`: bring the service's schema to this version's at start (embedded, one process).
    # `verify`: refuse to start unless the migration step (`gapless migrate`) already did
    # (scale-out: one migrator per release, before the new version starts).
    migrations: Literal["apply", "verify"] = "apply"
    # Digests of the API keys (see `gapless keys create`); default: keys.json in the data dir.
    keys_file: Path | None = None
    # /docs, /redoc and /openapi.json answer without a key (SPEC: every endpoint needs one).
    public_docs: bool = False
    retention: RetentionSettings = RetentionSettings()

    @model_validator(mode="after")
    def _retention_outlasts_redelivery(self) -> Self:
        """A message handed to a group again after its inbox row was pruned would take effect
        twice: the retention must be longer than any redelivery can reach back."""
        if self.retention.period <= self.redelivery_window:
            raise ValueError(
                f"GAPLESS_RETENTION__PERIOD ({self.retention.period}) must be longer than the"
                f" redelivery window ({self.redelivery_window}: the replay window"
                f" GAPLESS_RETENTION__REPLAY_WINDOW plus, on Kafka, the poll interval and session"
                " timeout after which a dead member's unfinished batch is read again)"
            )
        return self

    @property
    def redelivery_window(self) -> timedelta:
        """The longest time after which a group may be handed a message it already handled.

        A replay reaches back `replay_window` at most. On Kafka a batch handled but not yet
        committed when its member died (or overran its poll interval) goes to another member
        within the poll interval plus the session timeout; on the local log a group has one
        member, which reads its uncommitted records again as soon as it starts.
        """
        handover = timedelta(0)
        if self.bus == "kafka":
            kafka = self.kafka
            handover = timedelta(milliseconds=kafka.max_poll_interval_ms + kafka.session_timeout_ms)
        return self.retention.replay_window + handover

    def database_url_for(self, service: str) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / f'{service}.db'}"

    def schema_for(self, service: str) -> str:
        return f"{self.namespace}_{service}" if self.namespace else service

    @property
    def keys_path(self) -> Path:
        return self.keys_file or self.data_dir / "keys.json"

    @property
    def local_log_path(self) -> str:
        return str(self.data_dir / "events.db")

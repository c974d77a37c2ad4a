"""Settings from the environment (pydantic-settings); defaults give the embedded configuration."""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

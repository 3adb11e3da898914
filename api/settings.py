"""One settings object, read from the environment and overridable from the CLI."""

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    postgres_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    run_projections: bool = True
    min_position_timeout: float = 5.0
    analytics_pace: float = 5.0
    access_log: bool = True
    kafka_bootstrap: str | None = None
    kafka_topic: str = "deskstream.ticket-events"
    kafka_partitions: int = 4
    aggregate_cache_mb: float = 32.0
    history_cache_mb: float = 32.0
    duckdb_memory_mb: float = 128.0
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> "Settings":
        env = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {
            "data_dir": Path(env.get("DESKSTREAM_DATA", "data")),
            "postgres_url": env.get("DESKSTREAM_POSTGRES_URL") or None,
            "host": env.get("DESKSTREAM_HOST", "127.0.0.1"),
            "port": int(env.get("DESKSTREAM_PORT", "8000")),
            "run_projections": env.get("DESKSTREAM_PROJECTIONS", "on") != "off",
            "analytics_pace": float(env.get("DESKSTREAM_ANALYTICS_PACE", "5.0")),
            "access_log": env.get("DESKSTREAM_ACCESS_LOG", "on") != "off",
            "kafka_bootstrap": env.get("DESKSTREAM_KAFKA_BOOTSTRAP") or None,
            "kafka_topic": env.get("DESKSTREAM_KAFKA_TOPIC") or "deskstream.ticket-events",
            "kafka_partitions": int(env.get("DESKSTREAM_KAFKA_PARTITIONS", "4")),
            "aggregate_cache_mb": float(env.get("DESKSTREAM_AGGREGATE_CACHE_MB", "32")),
            "history_cache_mb": float(env.get("DESKSTREAM_HISTORY_CACHE_MB", "32")),
            "duckdb_memory_mb": float(env.get("DESKSTREAM_DUCKDB_MEMORY_MB", "128")),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def queue_target(self) -> str | Path:
        """The queue view lives with the event store: PostgreSQL, or a SQLite file beside it."""
        return self.postgres_url or self.data_dir / "queue.sqlite"

    @property
    def relay_target(self) -> str | Path:
        """The relay's position lives with the event store: PostgreSQL, or a SQLite file beside it."""
        return self.postgres_url or self.data_dir / "relay.sqlite"

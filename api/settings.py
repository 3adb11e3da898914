"""One settings object, read from the environment and overridable from the CLI.

Every DESKSTREAM_* variable the service reads is listed in `VARIABLES`, with the reader that checks
it: a wrong value stops the process with one line naming the variable, the value and what is
allowed, rather than a traceback, or, worse, being silently read as the default. An empty
variable counts as unset.
"""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.setting_values import (
    directory,
    hidden,
    kafka_bootstrap,
    kafka_topic,
    listen_host,
    port,
    positive_whole,
    postgres_url,
    seconds,
    session_key,
    shifts,
    shown_postgres_url,
    switch,
    time_zone,
    trusted_proxies,
)
from projections.shifts import DEFAULT_SHIFTS


class SettingsError(ValueError):
    """Every wrong variable at once, one line each, so a user fixes them in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Variable:
    name: str
    field: str
    read: Callable[[str], Any]
    shown: Callable[[str], str] = repr
    """How the value appears in an error: a URL's password never does."""


VARIABLES: tuple[Variable, ...] = (
    Variable("DESKSTREAM_DATA", "data_dir", directory),
    Variable("DESKSTREAM_POSTGRES_URL", "postgres_url", postgres_url, shown_postgres_url),
    Variable("DESKSTREAM_HOST", "host", listen_host),
    Variable("DESKSTREAM_PORT", "port", port),
    Variable("DESKSTREAM_PROJECTIONS", "run_projections", switch),
    Variable("DESKSTREAM_MAX_BODY", "max_body_bytes", positive_whole),
    Variable("DESKSTREAM_MAX_WAITING_READERS", "max_waiting_readers", positive_whole),
    Variable("DESKSTREAM_ANALYTICS_PACE", "analytics_pace", seconds),
    Variable("DESKSTREAM_ACCESS_LOG", "access_log", switch),
    Variable("DESKSTREAM_KAFKA_BOOTSTRAP", "kafka_bootstrap", kafka_bootstrap),
    Variable("DESKSTREAM_KAFKA_TOPIC", "kafka_topic", kafka_topic),
    Variable("DESKSTREAM_KAFKA_PARTITIONS", "kafka_partitions", positive_whole),
    Variable("DESKSTREAM_AGGREGATE_CACHE_MB", "aggregate_cache_mb", positive_whole),
    Variable("DESKSTREAM_HISTORY_CACHE_MB", "history_cache_mb", positive_whole),
    Variable("DESKSTREAM_DUCKDB_MEMORY_MB", "duckdb_memory_mb", positive_whole),
    Variable("DESKSTREAM_SQLITE_MEMORY_MB", "sqlite_memory_mb", positive_whole),
    Variable("DESKSTREAM_SESSION_KEY", "session_key", session_key, hidden),
    Variable("DESKSTREAM_SESSION_IDLE_MINUTES", "session_idle_minutes", positive_whole),
    Variable("DESKSTREAM_TIME_ZONE", "time_zone", time_zone),
    Variable("DESKSTREAM_SHIFTS", "shifts", shifts),
    Variable("DESKSTREAM_FORWARDED_ALLOW_IPS", "forwarded_allow_ips", trusted_proxies),
)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    postgres_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    run_projections: bool = True
    min_position_timeout: float = 5.0
    max_body_bytes: int = 1_000_000
    max_waiting_readers: int = 64
    analytics_pace: float = 5.0
    access_log: bool = True
    kafka_bootstrap: str | None = None
    kafka_topic: str = "deskstream.ticket-events"
    kafka_partitions: int = 4
    aggregate_cache_mb: float = 16
    history_cache_mb: float = 16
    duckdb_memory_mb: float = 64
    sqlite_memory_mb: float = 16
    """SQLite's page caches, all connections of the process together (a soft limit)."""
    session_key: str | None = None
    """Signs the workspace's session cookies; every API process behind one address shares it.
    Unset, each data directory keeps its own (session.key)."""
    session_idle_minutes: int = 480
    time_zone: str = "UTC"
    """The team's time zone: the workspace shows times in it unless a user chooses another."""
    shifts: str = DEFAULT_SHIFTS
    """The team's shifts, which the staffing page splits the day into (it may try others)."""
    forwarded_allow_ips: str = "127.0.0.1,::1"
    """The proxies whose X-Forwarded-Proto and X-Forwarded-For `serve` believes: behind a TLS proxy
    the session cookie is then Secure, and sign-in throttling counts the client's address, not the
    proxy's. uvicorn's own default; name the proxy's address when it runs on another host."""
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> "Settings":
        """Raises `SettingsError` listing every variable whose value is not allowed."""
        values = read_environment(os.environ if environ is None else environ)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def queue_target(self) -> str | Path:
        """The queue view lives with the event store: PostgreSQL, or a SQLite file beside it."""
        return self.postgres_url or self.data_dir / "queue.sqlite"

    @property
    def relay_target(self) -> str | Path:
        """The relay's position lives with the event store: PostgreSQL, or a SQLite file beside it."""
        return self.postgres_url or self.data_dir / "relay.sqlite"


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for variable in VARIABLES:
        raw = environ.get(variable.name, "")
        if not raw.strip():
            continue
        try:
            values[variable.field] = variable.read(raw)
        except ValueError as exc:
            problems.append(f"{variable.name}={variable.shown(raw)}: {exc}")
    if problems:
        raise SettingsError(problems)
    return values

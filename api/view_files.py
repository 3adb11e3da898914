"""Where the views kept in local files live: one naming for embedded and Kafka-fed views alike,
so that an analyst or a test opens a Kafka-fed view exactly as the embedded one."""

import hashlib
from pathlib import Path

from api.settings import Settings

ANALYTICS_FILE = "analytics.duckdb"
SEARCH_FILE = "search.sqlite"


def view_file(settings: Settings, name: str) -> Path:
    """Where a view kept in a local file lives: the data dir, even in PostgreSQL mode (FTS5 is
    SQLite's, the analytic tables DuckDB's).

    In PostgreSQL mode the name carries a digest of the database URL, so that two event stores
    never share a view file (its tracked position belongs to one log).
    """
    if settings.postgres_url is None:
        return settings.data_dir / name
    digest = hashlib.sha256(settings.postgres_url.encode()).hexdigest()[:12]
    path = Path(name)
    return settings.data_dir / f"{path.stem}-{digest}{path.suffix}"


def search_path(settings: Settings) -> Path:
    return view_file(settings, SEARCH_FILE)

"""Views kept in local files (search index, analytic tables, snapshots) belong to one event store."""

from pathlib import Path

from api.bootstrap import view_file
from api.settings import Settings
from projections.duckdb_snapshot import SNAPSHOT_NAME

NAMES = ["search.sqlite", "analytics.duckdb", SNAPSHOT_NAME]


def test_embedded_mode_keeps_plain_names_in_the_data_dir() -> None:
    settings = Settings(data_dir=Path("d"))
    assert [view_file(settings, n) for n in NAMES] == [Path("d") / n for n in NAMES]


def test_each_postgres_database_gets_its_own_view_files() -> None:
    one = Settings(data_dir=Path("d"), postgres_url="postgresql://db/one")
    two = Settings(data_dir=Path("d"), postgres_url="postgresql://db/two")
    files = [view_file(s, n) for s in (one, two) for n in NAMES]
    assert len(set(files)) == len(files)
    assert all(f.parent == Path("d") for f in files)
    assert [f.suffix for f in files[:3]] == [".sqlite", ".duckdb", ".duckdb"]
    assert view_file(one, "analytics.duckdb") == view_file(
        Settings(postgres_url="postgresql://db/one", data_dir=Path("d")), "analytics.duckdb"
    )

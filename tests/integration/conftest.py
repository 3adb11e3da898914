"""Runtimes on both event stores: the same test cases run against SQLite and PostgreSQL."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime, open_helpdesk
from tests.integration.api_client import As, sign_up
from tests.support import Clock, assert_log_reads_as_the_library, postgres_runtime, sqlite_runtime

RuntimeFactory = Callable[[], Runtime]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgres"])
def make_runtime(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[RuntimeFactory]:
    """Builds runtimes over one store; building twice is how a test restarts the service."""
    if request.param == "sqlite":
        factory: RuntimeFactory = lambda: sqlite_runtime(tmp_path / "data", clock)  # noqa: E731
    else:
        url = request.getfixturevalue("postgres_db")
        factory = lambda: postgres_runtime(url, clock, data_dir=tmp_path / "data")  # noqa: E731
    built: list[Runtime] = []

    def make() -> Runtime:
        runtime = factory()
        built.append(runtime)
        return runtime

    yield make
    for runtime in built:
        runtime.close()
    if built:
        helpdesk = open_helpdesk(built[-1].settings)
        assert_log_reads_as_the_library(helpdesk)
        helpdesk.close()


@pytest.fixture
def runtime(make_runtime: RuntimeFactory) -> Runtime:
    return make_runtime()


@pytest.fixture(params=["sqlite", "postgres"])
def users(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[dict[str, As]]:
    """A served API (projections following the log) and a client for each kind of user."""
    if request.param == "sqlite":
        runtime = sqlite_runtime(tmp_path / "data", clock, run_projections=True)
    else:
        runtime = postgres_runtime(
            request.getfixturevalue("postgres_db"), clock, run_projections=True, data_dir=tmp_path / "data"
        )
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield sign_up(runtime, client)
        assert_log_reads_as_the_library(runtime.helpdesk)

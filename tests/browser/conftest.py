"""A real server and a real Chromium (the system's `chromium`, driven by Playwright from PyPI).

Without a Chromium every test here is skipped, and the session says once how to get one. The
desk is one server per module, with a staff member per role whose password is set through the
CLI as an admin would. Screenshots go to tests/output/screenshots/, to be looked at.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.desk import Desk, start_desk

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOW_TO_GET_ONE = (
    "browser tests skipped: no Chromium found; install it with `apt-get install chromium` "
    "(Debian/Ubuntu) and run `make test` again"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason=HOW_TO_GET_ONE)
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not CHROMIUM:
        terminalreporter.write_line(HOW_TO_GET_ONE)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Per module: Playwright's sync API runs an event loop in the main thread while it is open,
    and the tests after the browser's (asyncio.run in tests/unit) need the thread back."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Desk]:
    with start_desk(tmp_path_factory.mktemp("desk"), browser) as started:
        yield started


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = Path(__file__).resolve().parents[1] / "output" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder

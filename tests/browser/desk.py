"""A desk for browser stories: a served data directory, its staff, and pages signed in as them."""

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from tests.e2e.server import REPO, deskstream, served

STAFF = {
    "root": "admin",
    "anna": "operator",
    "boris": "operator",
    "sofia": "supervisor",
    "ada": "auditor",
}
PASSWORD = "correct horse battery"
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


@dataclass
class Desk:
    base: str
    data: Path
    browser: Any
    service_token: str
    admin_token: str
    contexts: list[Any] = field(default_factory=list)

    def api(self, token: str | None = None) -> httpx2.Client:
        headers = {"Authorization": f"Bearer {token or self.admin_token}"}
        return httpx2.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=10)

    def page(self, name: str | None, width: str = "desktop", language: str = "en") -> Any:
        """A fresh browser context (its own cookies), signed in as `name` unless None."""
        w, h = WIDTHS[width]
        context = self.browser.new_context(viewport={"width": w, "height": h}, locale=language)
        self.contexts.append(context)
        page = context.new_page()
        if name is not None:
            sign_in(page, self.base, name)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def sign_in(page: Any, base: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/signin")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/signin" not in url)


def set_password(data: Path, name: str, role: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "--data", str(data), "user", "add", name, "--role", role],
        cwd=REPO,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@contextmanager
def start_desk(folder: Path, browser: Any) -> Iterator[Desk]:
    data = folder / "data"
    for name, role in STAFF.items():
        set_password(data, name, role)
    service = deskstream(data, "token", "create", "--name", "bot", "--role", "service").strip()
    admin = deskstream(data, "token", "create", "--name", "root", "--role", "admin").strip()
    with served(data) as base:
        desk = Desk(base, data, browser, service, admin)
        try:
            yield desk
        finally:
            desk.close()

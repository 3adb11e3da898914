"""The hand-computed week of tests/integration/test_analytics_scenario.py, with a QA reviewer
(quinn) among the staff, for the QA tests: API, CLI and pages."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import hash_token
from api.bootstrap import build
from api.settings import Settings
from tests.integration.test_analytics_scenario import STD, Desk, week
from tests.support import Clock

__all__ = ["Desk", "ask", "draw", "qa_desk", "week"]


@contextmanager
def qa_desk(data: Path, **settings: Any) -> Iterator[Desk]:
    """1 March 2026, the standard policy in force; no projector runs unless a test runs it (or
    asks for `run_projections=True`)."""
    clock = Clock(datetime(2026, 3, 1, tzinfo=UTC))
    runtime = build(Settings(data_dir=data, **{"run_projections": False, **settings}), clock=clock)
    try:
        with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
            desk = Desk(client, runtime, clock)
            runtime.helpdesk.register_user("quinn", "qa")
            runtime.helpdesk.issue_token(hash_token("t-quinn"), "quinn")
            desk.call("root", "PUT", "/sla-policies/std", STD)
            yield desk
    finally:
        runtime.close()


def ask(desk: Desk, who: str, method: str, path: str, body: Any = None, **params: Any) -> Any:
    """Any answer, refusals included."""
    headers = {"Authorization": f"Bearer t-{who}"}
    return desk.client.request(method, f"/api/v1{path}", json=body, params=params, headers=headers)


def draw(desk: Desk, who: str = "quinn", **params: Any) -> Any:
    return ask(desk, who, "GET", "/reports/qa-sample", **{"month": "2026-03", "size": "2", **params})

"""`deskstream demo`, as a new user on a fresh clone runs it: a year of history in a fresh data
directory, users who can sign in, reports with something in them, and the same events every run."""

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import hash_token
from api.bootstrap import Runtime, open_helpdesk
from api.cli import main
from api.settings import Settings
from application.demo.catalogue import CHANNELS, REVIEWS, TOPICS
from application.demo.setup import ARTICLES
from application.demo.staff import OPERATORS, team
from domain.values import Role
from projections.local_log import LocalLog
from projections.records import EventRecord
from tests.support import Clock, sqlite_runtime

TICKETS = 2400
UNTIL = "2026-12-01T10:00:00Z"
"""A Tuesday, 13:00 in Moscow: the year runs from 2025-12-01 local, November is the last whole month."""
NOVEMBER = {"from": "2026-10-31T21:00:00Z", "to": "2026-11-30T21:00:00Z", "tz": "Europe/Moscow"}
TODAY = {"from": "2026-11-30T21:00:00Z", "to": UNTIL, "tz": "Europe/Moscow"}
YEAR = {"from": "2025-11-30T21:00:00Z", "to": UNTIL, "tz": "Europe/Moscow"}


@dataclass
class Demo:
    data: Path
    out: str
    records: list[EventRecord]


def run_demo(data: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    argv = ["demo", "--no-serve", "--data", str(data), "--tickets", str(TICKETS), "--until", UNTIL, *extra]
    with contextlib.redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue()


def log_of(data: Path) -> list[EventRecord]:
    helpdesk = open_helpdesk(Settings(data_dir=data))
    try:
        return LocalLog(helpdesk).read(0, 10_000_000)
    finally:
        helpdesk.close()


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Demo, Demo]:
    """Two runs with the same seed into two fresh directories, read before any test writes."""
    with pytest.MonkeyPatch.context() as env:
        env.delenv("DESKSTREAM_TIME_ZONE", raising=False)
        found = []
        for name in ("first", "second"):
            data = tmp_path_factory.mktemp(name) / "demo"
            code, out = run_demo(data)
            assert code == 0
            found.append(Demo(data, out, log_of(data)))
    return found[0], found[1]


@pytest.fixture(scope="module")
def served(demos: tuple[Demo, Demo]) -> Iterator[tuple[Runtime, TestClient]]:
    runtime = sqlite_runtime(demos[0].data, Clock(datetime.fromisoformat(UNTIL)))
    runtime.runner.catch_up()
    runtime.helpdesk.issue_token(hash_token("t-sveta"), "sveta")
    with TestClient(create_app(runtime), follow_redirects=False) as client:
        yield runtime, client
    runtime.close()


def report(client: TestClient, name: str, **params: str) -> Any:
    response = client.get(
        f"/api/v1/reports/{name}", params=params, headers={"Authorization": "Bearer t-sveta"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_two_runs_with_the_same_seed_write_the_same_events(demos: tuple[Demo, Demo]) -> None:
    first, second = demos
    assert len(first.records) > TICKETS * 8
    assert first.records == second.records


def test_the_year_ends_at_until_and_starts_twelve_whole_months_before(demos: tuple[Demo, Demo]) -> None:
    records = demos[0].records
    assert max(r.occurred_at for r in records) <= datetime.fromisoformat(UNTIL)
    assert min(r.occurred_at for r in records) == datetime(2025, 11, 30, 21, tzinfo=UTC)
    opened = [r for r in records if r.type == "TicketOpened" and r.data["channel"] != REVIEWS.name]
    assert len(opened) == TICKETS
    assert {r.data["channel"] for r in opened} == {c.name for c in CHANNELS}


def test_every_demo_user_signs_in_with_the_password_printed(
    demos: tuple[Demo, Demo], served: tuple[Runtime, TestClient]
) -> None:
    _, client = served
    members = team()
    assert {m.role for m in members} >= {Role.ADMIN, Role.SUPERVISOR, Role.OPERATOR, Role.AUDITOR}
    assert any(m.name == "kira" for m in members) == hasattr(Role, "QA")
    for member in members:
        assert f"{member.name:<8} {member.role:<11} {member.password}" in demos[0].out
        client.cookies.clear()
        page = client.post(
            "/signin", data={"name": member.name, "password": member.password, "next": "/inbox"}
        )
        assert page.status_code == 303, member.name


def test_the_desk_is_set_up_with_channels_policies_snippets_and_articles(
    served: tuple[Runtime, TestClient],
) -> None:
    _, client = served
    auth = {"Authorization": "Bearer t-sveta"}
    policies = {p["name"]: p for p in client.get("/api/v1/sla-policies", headers=auth).json()["data"]}
    assert [v["targets_minutes"]["first_response"] for v in policies["standard"]["versions"]] == [30, 15]
    assert {"standard", "email", "urgent"} == set(policies)
    assert client.get("/api/v1/snippets", headers=auth).json()["count"] == len(TOPICS)
    assert client.get("/api/v1/kb/articles", headers=auth).json()["count"] == len(ARTICLES)
    channels = client.get("/api/v1/channels", headers=auth).json()["data"]
    assert {(c["name"], c["kind"], c["owner"]) for c in channels} == {
        (c.name, c.kind, c.owner) for c in (*CHANNELS, REVIEWS)
    }


def test_last_month_is_whole_and_its_reports_have_figures(served: tuple[Runtime, TestClient]) -> None:
    _, client = served
    summary = report(client, "summary", **NOVEMBER)
    assert TICKETS / 12 * 0.6 < summary["tickets_received"] < TICKETS / 12 * 1.4
    assert summary["first_response"]["count"] > 0 and summary["resolution"]["count"] > 0
    first_response = summary["sla"]["first_response"]
    assert first_response["achieved"] > first_response["breached"] > 0
    assert summary["csi"]["likes"] > summary["csi"]["dislikes"] > 0
    days = report(client, "daily", **NOVEMBER)["data"]
    assert len(days) == 30 and sum(d["received"] for d in days[-3:]) > 0
    operators = {o["operator"] for o in report(client, "operators", **NOVEMBER)["data"]}
    assert {m.name for m in OPERATORS} <= operators


def test_the_current_month_runs_up_to_the_end(served: tuple[Runtime, TestClient]) -> None:
    _, client = served
    assert report(client, "summary", **TODAY)["tickets_received"] > 0


def test_nights_carry_a_real_share_of_the_load_in_the_teams_zone(served: tuple[Runtime, TestClient]) -> None:
    _, client = served
    hours = report(client, "hourly", **YEAR)["data"]
    night = sum(h["messages"] for h in hours if h["hour"] >= 20 or h["hour"] < 9)
    share = night / sum(h["messages"] for h in hours)
    assert 0.2 < share < 0.45


def test_a_data_directory_that_is_not_empty_is_refused(
    demos: tuple[Demo, Demo], capsys: pytest.CaptureFixture[str]
) -> None:
    before = log_of(demos[0].data)
    code, _ = run_demo(demos[0].data)
    assert code == 2
    assert "is not empty; the demo writes only into a new or empty directory" in capsys.readouterr().err
    assert log_of(demos[0].data) == before

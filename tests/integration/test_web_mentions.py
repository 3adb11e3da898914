"""The mention and search pages over HTTP: who may see them, who may triage, and what a refused
or broken triage answers. The browser stories (tests/browser/) show the same pages in use."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from api.web.sessions import COOKIE
from tests.fixtures.payloads import MENTIONS_SECRET, add_channels, admin_token, hub_signature, raw
from tests.support import Clock, sqlite_runtime

STAFF = {"anna": "operator", "sofia": "supervisor", "ada": "auditor", "bot": "service", "oleg": "operator"}


@dataclass
class Web:
    runtime: Runtime
    client: TestClient
    admin: dict[str, str]
    position: int

    def cookie(self, name: str) -> dict[str, str]:
        assert self.runtime.sessions is not None
        value = self.runtime.sessions.start(self.runtime.helpdesk.user(name))
        return {"Cookie": f"{COOKIE}={value}"}

    def csrf(self, headers: dict[str, str]) -> str:
        assert self.runtime.sessions is not None
        session = self.runtime.sessions.read(headers["Cookie"].split("=", 1)[1])
        assert session is not None
        return session.csrf

    def page(self, name: str, path: str) -> Any:
        return self.client.get(path, headers=self.cookie(name), follow_redirects=False)

    def triage(self, name: str, mention_id: str, fragment: bool = True, **form: str) -> Any:
        headers = self.cookie(name)
        headers |= {"X-Fragment": "1"} if fragment else {}
        body = {"csrf": self.csrf(headers), "back": "/mentions?status=new&page=1", **form}
        path = f"/mentions/{mention_id}/triage"
        return self.client.post(path, data=body, headers=headers, follow_redirects=False)

    def queue(self) -> dict[str, str]:
        got = self.client.get(
            "/api/v1/mentions", params={"status": "new", "min_position": self.position}, headers=self.admin
        )
        return {m["author"]: m["id"] for m in got.json()["data"]}


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    runtime = sqlite_runtime(tmp_path / "data", Clock(), run_projections=True)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        for name, role in STAFF.items():
            runtime.helpdesk.register_user(name, role)
        token = admin_token(runtime)
        add_channels(client, token)
        positions = [send(client, raw(name)) for name in ("mentions_review.json", "mentions_press.json")]
        yield Web(runtime, client, {"Authorization": f"Bearer {token}"}, max(positions))


def send(client: TestClient, body: bytes) -> int:
    headers = {"X-Signature-256": hub_signature(MENTIONS_SECRET, body)}
    answer = client.post("/api/v1/ingest/mentions/press", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return max(m["position"] for m in answer.json()["mentions"])


def triage_forms(html: str) -> list[str]:
    return re.findall(r'action="/mentions/([0-9a-f-]+)/triage"', html)


def test_an_auditor_sees_the_queue_without_triage_controls_and_her_posts_are_refused(web: Web) -> None:
    queue = web.queue()
    page = web.page("ada", f"/mentions?min_position={web.position}")
    assert page.status_code == 200
    assert all(author in page.text for author in ("Алексей П.", "Fintech News", "vc.ru"))
    assert triage_forms(page.text) == []
    refused = web.triage("ada", queue["vc.ru"], decision="ignore")
    assert refused.status_code == 403
    assert "Your role may not do this." in refused.text
    assert web.queue() == queue
    assert len(triage_forms(web.page("anna", "/mentions").text)) == 3


def test_an_auditor_reads_the_mentions_and_search_pages(web: Web) -> None:
    """Service users get no session at all (tests/integration/test_web_sessions.py)."""
    for path in ("/mentions", "/search?q=карта", "/search/customers?q=ал"):
        answer = web.page("ada", path)
        assert answer.status_code == 200, path
        assert "Traceback" not in answer.text


def test_a_supervisor_triages_without_script_and_is_sent_back_to_the_queue(web: Web) -> None:
    queue = web.queue()
    done = web.triage("sofia", queue["Алексей П."], fragment=False, decision="reply", tags="branch")
    assert done.status_code == 303 and done.headers["location"] == "/mentions?status=new&page=1"
    page = web.page("sofia", "/mentions")
    assert "Алексей П." not in page.text and len(triage_forms(page.text)) == 2
    ticketed = web.page("ada", "/mentions?status=reply")
    assert "Алексей П." in ticketed.text and 'href="/tickets/' in ticketed.text


def test_the_fragment_answer_says_what_became_of_the_mention(web: Web) -> None:
    queue = web.queue()
    form = {"decision": "reply", "category": "complaint", "tags": "branch, queue"}
    done = web.triage("anna", queue["Алексей П."], **form)
    assert done.status_code == 200
    assert "Ticket opened for anna." in done.text and 'href="/tickets/' in done.text
    assert f'data-done="{queue["Алексей П."]}"' in done.text
    again = web.triage("sofia", queue["Алексей П."], decision="ignore")
    assert again.status_code == 409 and "already triaged as reply" in again.text


def test_marketing_without_a_category_gets_the_domains_sentence_and_stays_queued(web: Web) -> None:
    queue = web.queue()
    refused = web.triage("anna", queue["vc.ru"], decision="marketing", tags="app")
    assert refused.status_code == 422
    assert "A marketing mention needs a category." in refused.text
    tags = ",".join(f"t{i}" for i in range(21))
    too_many = web.triage("anna", queue["vc.ru"], decision="ignore", tags=tags)
    assert too_many.status_code == 422 and "tags: List should have at most 20 items" in too_many.text
    assert web.queue() == queue


def test_a_triage_post_without_the_sessions_csrf_token_changes_nothing(web: Web) -> None:
    queue = web.queue()
    headers = web.cookie("anna") | {"X-Fragment": "1"}
    path = f"/mentions/{queue['vc.ru']}/triage"
    forged = web.client.post(path, data={"decision": "ignore"}, headers=headers)
    assert forged.status_code == 403 and "did not come from this site" in forged.text
    assert web.queue() == queue


def test_every_tab_and_status_is_named_in_both_languages(web: Web) -> None:
    """Tab, heading and status names are looked up by value; a missing one would show its key."""
    untranslated = re.compile(r"\b(mentions|search)\.[a-z]+_(tab|heading|empty|status)\b")
    for language in ("en", "ru"):
        headers = web.cookie("ada") | {"Accept-Language": language}
        for status in ("new", "reply", "marketing", "ignore"):
            page = web.client.get(f"/mentions?status={status}", headers=headers)
            assert page.status_code == 200 and not untranslated.search(page.text), (language, status)
        page = web.client.get("/search?q=отделение", headers=headers)
        assert page.status_code == 200 and not untranslated.search(page.text), language

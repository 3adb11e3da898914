"""The live stream (GET /live) as a page meets it: from the position it was rendered at, through a
reconnect with Last-Event-ID, to who else is looking at a ticket. A real uvicorn server on the
SQLite store, with the views following the log, and a session cookie as the browser sends it."""

import json
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
import uvicorn

from api.app import create_app
from api.auth import hash_token, new_token
from api.bootstrap import Runtime
from api.cli import SHUTDOWN_SECONDS
from api.web.live import Hub
from api.web.sessions import COOKIE
from application.command import Context
from tests.browser.desk import PASSWORD, set_password
from tests.e2e.server import free_port, spawn, wait_until_healthy
from tests.support import Clock, sqlite_runtime

WAIT = 5.0


@dataclass
class Desk:
    base: str
    runtime: Runtime
    tokens: dict[str, str]
    cookies: dict[str, str]
    listeners: list["Listener"] = field(default_factory=list)

    def api(self, name: str) -> httpx2.Client:
        headers = {"Authorization": f"Bearer {self.tokens[name]}"}
        return httpx2.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=10)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    runtime = sqlite_runtime(tmp_path / "data", Clock(), run_projections=True)
    app = create_app(runtime)
    app.state.live_hub = Hub(runtime, heartbeat=0.3, backfill=20)
    tokens, cookies = {}, {}
    for name, role in {
        "bot": "service",
        "sofia": "supervisor",
        "anna": "operator",
        "boris": "operator",
    }.items():
        runtime.helpdesk.register_user(name, role)
        tokens[name] = new_token()
        runtime.helpdesk.issue_token(hash_token(tokens[name]), name)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    for name in ("anna", "boris"):
        assert runtime.sessions is not None
        cookies[name] = runtime.sessions.start(runtime.helpdesk.user(name))
    started = Desk(f"http://127.0.0.1:{port}", runtime, tokens, cookies)
    yield started
    for listener in started.listeners:
        listener.close()
    server.should_exit = True
    thread.join(timeout=20)


class Listener:
    """One EventSource's worth of the stream, parsed as the browser does, on its own thread."""

    def __init__(self, desk: Desk, name: str, path: str, last_event_id: int | None = None) -> None:
        headers = {"Cookie": f"{COOKIE}={desk.cookies[name]}"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.client = httpx2.Client(
            base_url=desk.base, headers=headers, timeout=httpx2.Timeout(10, read=None)
        )
        self.frames: queue.Queue[dict[str, Any]] = queue.Queue()
        self.stop = threading.Event()
        self.status: int | None = None
        self.thread = threading.Thread(target=self.listen, args=(path,), daemon=True)
        self.thread.start()
        desk.listeners.append(self)

    def listen(self, path: str) -> None:
        try:
            self.read(path)
        except httpx2.TransportError:
            if not self.stop.is_set():
                raise

    def read(self, path: str) -> None:
        with self.client.stream("GET", path) as response:
            self.status = response.status_code
            frame: dict[str, Any] = {}
            for line in response.iter_lines():
                if self.stop.is_set():
                    return
                if not line:
                    if frame:
                        self.frames.put(frame)
                    frame = {}
                elif line.startswith(":"):
                    frame["comment"] = line[1:].strip()
                else:
                    key, _, value = line.partition(":")
                    frame[key] = value.removeprefix(" ")
            self.frames.put({"closed": True})

    def next(self, kind: str) -> dict[str, Any]:
        """The next frame of `kind` (event name, or `comment`), skipping others."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                frame = self.frames.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if frame.get("event") == kind or (kind == "comment" and "comment" in frame) or "closed" in frame:
                return frame
        raise AssertionError(f"no {kind} frame within {WAIT} s")

    def events(self, kind: str, count: int) -> list[dict[str, Any]]:
        found = [self.next(kind) for _ in range(count)]
        return [{**json.loads(f["data"]), "id": int(f["id"])} for f in found]

    def close(self) -> None:
        self.stop.set()
        self.client.close()
        self.thread.join(timeout=5)


def views_at(desk: Desk, position: int) -> None:
    with desk.api("anna") as anna:
        assert anna.get("/tickets", params={"min_position": position}).json()["position"] >= position


def opened(desk: Desk, handle: str) -> dict[str, Any]:
    with desk.api("bot") as bot:
        body = {"channel": "vk", "customer": {"name": handle, "handle": handle}, "text": "Card blocked"}
        answer = bot.post("/tickets", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def command(desk: Desk, who: str, path: str, body: dict[str, Any]) -> int:
    with desk.api(who) as client:
        answer = client.post(path, json=body)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["position"])


def test_a_reconnect_with_last_event_id_gets_exactly_the_missed_events_in_order(desk: Desk) -> None:
    first = opened(desk, "id1")
    views_at(desk, first["position"])
    page = Listener(desk, "anna", f"/live?from={first['position']}")
    ticket = first["id"]
    assigned = command(desk, "sofia", f"/tickets/{ticket}/assign", {"assignee": "anna", "comment": "yours"})
    seen = page.events("ticket", 1)
    assert seen == [
        {"ticket": ticket, "type": "Assigned", "position": assigned, "actor": "sofia",
         "assignee": "anna", "status": "open", "id": assigned}
    ]  # fmt: skip
    page.close()

    missed = [
        command(desk, "anna", f"/tickets/{ticket}/pause", {"reason": "waiting_customer"}),
        opened(desk, "id2")["position"],
        command(desk, "sofia", f"/tickets/{ticket}/assign", {"assignee": "boris"}),
    ]
    views_at(desk, missed[-1])
    again = Listener(desk, "anna", f"/live?from={first['position']}", last_event_id=seen[-1]["id"])
    replayed = again.events("ticket", 3)
    expected = list(zip(missed, ["Paused", "TicketOpened", "Assigned"], strict=True))
    assert [(e["id"], e["type"]) for e in replayed] == expected
    later = command(desk, "boris", f"/tickets/{ticket}/resume", {})
    assert [(e["id"], e["type"], e["status"]) for e in again.events("ticket", 1)] == [
        (later, "Resumed", "open")
    ]
    again.close()


def test_a_stream_far_behind_is_told_to_reload_and_goes_on_from_there(desk: Desk) -> None:
    first = opened(desk, "id1")
    for n in range(25):
        last = command(desk, "anna", f"/tickets/{first['id']}/notes", {"text": f"note {n}"})
    views_at(desk, last)
    page = Listener(desk, "anna", f"/live?from={first['position']}")
    reload = page.next("reload")
    assert int(reload["id"]) == json.loads(reload["data"])["position"] >= last
    tagged = command(desk, "anna", f"/tickets/{first['id']}/tags", {"add": ["card"]})
    assert [e["id"] for e in page.events("ticket", 1)] == [tagged]
    page.close()


def test_a_quiet_stream_beats_with_a_comment_carrying_how_far_it_has_read(desk: Desk) -> None:
    ticket = opened(desk, "id1")
    views_at(desk, ticket["position"])
    page = Listener(desk, "boris", "/live")
    beat = page.next("comment")
    assert beat["comment"] == "keep-alive" and int(beat["id"]) >= ticket["position"]
    page.close()


def test_everyone_looking_at_a_ticket_sees_who_else_is(desk: Desk) -> None:
    ticket = opened(desk, "id1")["id"]
    anna = Listener(desk, "anna", f"/live?ticket={ticket}")
    assert json.loads(anna.next("presence")["data"]) == {"ticket": ticket, "viewers": ["anna"]}
    boris = Listener(desk, "boris", f"/live?ticket={ticket}")
    assert json.loads(boris.next("presence")["data"])["viewers"] == ["anna", "boris"]
    assert json.loads(anna.next("presence")["data"])["viewers"] == ["anna", "boris"]
    boris.close()
    assert json.loads(anna.next("presence")["data"])["viewers"] == ["anna"]
    anna.close()


def test_without_a_session_the_stream_sends_the_browser_to_sign_in(desk: Desk) -> None:
    with httpx2.Client(base_url=desk.base) as client:
        answer = client.get("/live?from=0")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")


def test_a_stream_whose_session_ended_closes_at_its_next_heartbeat(desk: Desk) -> None:
    page = Listener(desk, "boris", "/live")
    page.next("comment")
    assert desk.runtime.sessions is not None
    session = desk.runtime.sessions.read(desk.cookies["boris"])
    assert session is not None
    desk.runtime.sessions.end(session)
    assert page.next("closed") == {"closed": True}
    page.close()


def test_the_server_stops_promptly_while_a_page_is_still_live(tmp_path: Path) -> None:
    """A live stream never ends by itself: `deskstream serve` must not wait for it on a stop."""
    data = tmp_path / "data"
    set_password(data, "anna", "operator")
    port = free_port()
    server = spawn(data, "serve", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_until_healthy(base, server)
    with httpx2.Client(base_url=base, timeout=httpx2.Timeout(10, read=None)) as browser:
        assert browser.post("/signin", data={"name": "anna", "password": PASSWORD}).status_code == 303
        with browser.stream("GET", "/live") as stream:
            lines = stream.iter_lines()
            assert next(lines) == "retry: 1000"
            asked = time.monotonic()
            server.terminate()
            try:
                server.wait(timeout=SHUTDOWN_SECONDS + 5)
            finally:
                server.kill()
    assert time.monotonic() - asked < SHUTDOWN_SECONDS + 2


def test_a_captured_mention_reaches_every_open_page(desk: Desk) -> None:
    page = Listener(desk, "anna", "/live")
    page.next("comment")
    fields = {"source": "maps", "url": "https://maps.example/r/1", "author": "Ann", "text": "Slow queue",
              "published_at": desk.runtime.helpdesk.clock(), "rating": 2.0, "place": "Main st"}  # fmt: skip
    captured = desk.runtime.helpdesk.capture_mention("reviews", "r-1", fields, Context("bot"))
    desk.runtime.runner.wake()
    frame = page.next("mention")
    assert json.loads(frame["data"]) == {
        "mention": str(captured.id),
        "type": "MentionCaptured",
        "position": captured.position,
    }
    assert int(frame["id"]) == captured.position


def test_a_busy_stream_still_checks_its_session_every_beat(desk: Desk) -> None:
    ticket = opened(desk, "id1")["id"]
    page = Listener(desk, "boris", "/live")
    page.next("comment")
    assert desk.runtime.sessions is not None
    session = desk.runtime.sessions.read(desk.cookies["boris"])
    assert session is not None
    desk.runtime.sessions.end(session)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        command(desk, "anna", f"/tickets/{ticket}/notes", {"text": "busy"})
        frame = page.frames.get(timeout=WAIT)
        if "closed" in frame:
            break
    else:
        raise AssertionError("the stream of an ended session stayed open while the desk was busy")
    page.close()

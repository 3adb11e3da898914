"""What bench/faults.py checks after the crashes: every acknowledged write in the events once,
the API agreeing with the events and the queue view, and the view agreeing with its rebuild."""

import http.client
import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.workload import Step, Ticket, deskstream, start_server, wait_healthy

EVENT_OF = {
    "open": "TicketOpened",
    "assign": "Assigned",
    "reply": "ReplySent",
    "message": "CustomerMessageReceived",
    "note": "NoteAdded",
    "tags": "TagsChanged",
    "reply2": "ReplySent",
    "resolve": "Resolved",
    "rating": "Rated",
}
QUEUE_TABLES = ("queue_tickets", "queue_ticket_tags", "queue_customers")


@dataclass
class Server:
    """The one server process of a data dir, restarted on the same port after each kill."""

    data: Path
    port: int
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = start_server(self.data, self.port, self.env, self.log)
        wait_healthy(self.port, self.process)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


@dataclass
class Acks:
    """What the server acknowledged, and what it answered that it should not have."""

    writes: list[tuple[Ticket, Step]] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def get_json(port: int, path: str, token: str) -> tuple[int, object]:
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    con.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = con.getresponse()
    body = response.read()
    con.close()
    return response.status, json.loads(body) if body else None


def check_history(port: int, tokens: dict[str, str], acks: Acks) -> dict[str, int]:
    """Each acknowledged write must be in its ticket's events once: by its unique text, or for
    writes without text by its event type (each life makes each of those once)."""
    counts = {"lost": 0, "duplicated": 0, "mismatches": 0}
    events: dict[str, list[dict[str, object]]] = {}
    for ticket, step in acks.writes:
        if ticket.id not in events:
            status, body = get_json(port, f"/api/v1/tickets/{ticket.id}/events", tokens["admin"])
            events[ticket.id or ""] = body["data"] if status == 200 else []  # type: ignore[index]
        found = [
            e
            for e in events[ticket.id or ""]
            if e["type"] == EVENT_OF[step.kind] and (step.text is None or e["data"].get("text") == step.text)  # type: ignore[union-attr]
        ]
        if not found:
            counts["lost"] += 1
            print(f"  lost: {step.kind} of {ticket.name} ({ticket.id})", file=sys.stderr)
        elif len(found) > 1:
            counts["duplicated"] += len(found) - 1
            print(f"  duplicated: {step.kind} of {ticket.name} ×{len(found)}", file=sys.stderr)
    return counts


def expected_state(history: list[dict[str, object]]) -> dict[str, object]:
    """Status, assignee, tags and version told by the events alone."""
    state: dict[str, object] = {"status": "open", "assignee": None, "tags": set(), "version": 0}
    for e in history:
        data: dict[str, object] = e["data"]  # type: ignore[assignment]
        state["version"] = e["version"]
        match e["type"]:
            case "Assigned":
                state["assignee"] = data["assignee"]
            case "TagsChanged":
                state["tags"] = (state["tags"] | set(data["added"])) - set(data["removed"])  # type: ignore[operator]
            case "Resolved":
                state["status"] = "resolved"
            case "Reopened" | "CustomerMessageReceived" if state["status"] == "resolved":
                state["status"] = "open"
    return state


def check_views_against_api(port: int, tokens: dict[str, str], data: Path, acks: Acks) -> int:
    """The API's ticket against its events, and the queue view's row against the API."""
    mismatches = 0
    ids = {t.id for t, _ in acks.writes if t.id}
    deadline = time.monotonic() + 60
    head = get_json(port, "/health", tokens["admin"])[1]["position"]  # type: ignore[index]
    while time.monotonic() < deadline and get_json(port, "/health", tokens["admin"])[1]["position"] < head:  # type: ignore[index]
        time.sleep(0.5)
    with sqlite3.connect(data / "queue.sqlite") as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute("SELECT ticket_id, status, assignee, version FROM queue_tickets").fetchall()
        }
    for ticket_id in sorted(ids):
        _, ticket = get_json(port, f"/api/v1/tickets/{ticket_id}", tokens["admin"])
        _, history = get_json(port, f"/api/v1/tickets/{ticket_id}/events", tokens["admin"])
        told = expected_state(history["data"])  # type: ignore[index]
        shown = {k: ticket[k] for k in ("status", "assignee", "version")}  # type: ignore[index]
        shown["tags"] = set(ticket["tags"])  # type: ignore[index]
        if shown != told:
            mismatches += 1
            print(f"  API ≠ events for {ticket_id}: {shown} vs {told}", file=sys.stderr)
        if rows.get(ticket_id) != (shown["status"], shown["assignee"], shown["version"]):
            mismatches += 1
            print(f"  queue ≠ API for {ticket_id}: {rows.get(ticket_id)} vs {shown}", file=sys.stderr)
    return mismatches


def queue_rows(data: Path) -> set[tuple[object, ...]]:
    with sqlite3.connect(data / "queue.sqlite") as con:
        return {(table, *row) for table in QUEUE_TABLES for row in con.execute(f"SELECT * FROM {table}")}


def check_replay(data: Path) -> int:
    """The live queue view (left by the crashes) against its rebuild from the log."""
    live = queue_rows(data)
    deskstream(data, "replay")
    rebuilt = queue_rows(data)
    for row in sorted(map(str, live ^ rebuilt))[:5]:
        print(f"  replay differs: {row}", file=sys.stderr)
    return len(live ^ rebuilt)

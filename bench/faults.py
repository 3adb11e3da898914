"""Reliability harness: kill -9 under load, a full disk, and schemathesis over the whole API.

    python bench/faults.py                                    # about 5 minutes, prints one line
    python bench/faults.py --kills 4 --clients 4 --max-examples 10 --skip schema

1. Crashes: K clients work tickets through their lives (bench/workload.py) with an
   Idempotency-Key (and the provider's id) on every write, retrying each until the server
   acknowledges it; meanwhile the server is killed with SIGKILL at random moments and restarted.
   Then: every acknowledged write must be in the ticket's events exactly once (`lost`,
   `duplicated`); the API's ticket must agree with its events and with the queue view, and the
   queue view must equal its rebuild by `deskstream replay` (`mismatches`).
2. Disk full (needs permission to mount a tmpfs; otherwise says why it was skipped): the data dir
   on a small tmpfs, filled up; writes must get 507 (never another 5xx), reads 200; then space
   is freed and writes must succeed again without a restart, and nothing acknowledged be lost.
3. Schemathesis (the `bench` extra) against /openapi.json with every role's token, checking
   for 5xx and for responses that do not match the declared schema and status codes.
The ceiling is zero for every count.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.workload import (  # noqa: E402
    Desk,
    Step,
    Ticket,
    create_users,
    deskstream,
    free_port,
    send,
    start_server,
    wait_healthy,
)

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


def until_acknowledged(port: int, step: Step, path: str, tokens: dict[str, str]) -> tuple[int, bytes]:
    """The same request (same key) again and again until the server answers below 500."""
    while True:
        con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            status, body = send(con, step, path, tokens)
            if status < 500:
                return status, body
        except (OSError, http.client.HTTPException):
            pass
        finally:
            con.close()
        time.sleep(0.2)


def crash_client(port: int, tokens: dict[str, str], name: str, acks: Acks, stop: threading.Event) -> None:
    desk = Desk(name, in_hand=3)
    while not stop.is_set():
        ticket = desk.pick()
        step = ticket.next()
        assert step is not None
        status, body = until_acknowledged(port, step, ticket.path(step), tokens)
        if status >= 300:
            with acks.lock:
                acks.refused[f"{step.kind} {status}"] += 1
            if step.kind == "open":
                continue
        elif step.method == "POST":
            with acks.lock:
                acks.writes.append((ticket, step))
        desk.advance(ticket, json.loads(body) if step.kind == "open" and status < 300 else None)


def crashes(opts: argparse.Namespace, data: Path, tokens: dict[str, str]) -> dict[str, int]:
    server = Server(data, free_port())
    server.start()
    acks, stop = Acks(), threading.Event()
    clients = [
        threading.Thread(target=crash_client, args=(server.port, tokens, f"k{n}", acks, stop))
        for n in range(opts.clients)
    ]
    for t in clients:
        t.start()
    rng = random.Random(opts.seed)
    for _ in range(opts.kills):
        time.sleep(rng.uniform(0.5, 2 * opts.kill_every))
        server.kill()
        server.start()
    time.sleep(opts.kill_every)
    stop.set()
    for t in clients:
        t.join()
    counts = check_history(server.port, tokens, acks)
    counts["mismatches"] += check_views_against_api(server.port, tokens, data, acks)
    server.stop()
    counts["mismatches"] += check_replay(data)
    counts.update(kills=opts.kills, commands=len(acks.writes), refused=sum(acks.refused.values()))
    if acks.refused:
        print(f"  refused after retries: {dict(acks.refused)}", file=sys.stderr)
    return counts


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


def mount_tmpfs(where: Path, size_mb: int) -> str | None:
    """None when mounted, else why not."""
    if os.geteuid() != 0:
        return "not root (mounting a tmpfs needs CAP_SYS_ADMIN)"
    where.mkdir(parents=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    return None if done.returncode == 0 else f"mount failed: {done.stderr.strip()}"


def fill(where: Path) -> Path:
    """Writes a file until the file system refuses another byte."""
    filler = where / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for chunk in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


def disk_full(opts: argparse.Namespace, tmp: Path) -> dict[str, int] | str:
    where = tmp / "small-disk"
    why = mount_tmpfs(where, opts.disk_mb)
    if why:
        return why
    try:
        return disk_episode(where / "data", tmp / "disk-server.log")
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def disk_episode(data: Path, log: Path) -> dict[str, int]:
    tokens = create_users(data)
    server = Server(data, free_port(), log=log)
    server.start()
    acks, port = Acks(), server.port
    desk = Desk("d", in_hand=4)

    def work(n: int) -> Counter[str]:
        seen: Counter[str] = Counter()
        for _ in range(n):
            ticket = desk.pick()
            step = ticket.next()
            assert step is not None
            con = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            try:
                status, body = send(con, step, ticket.path(step), tokens)
            except (OSError, http.client.HTTPException):
                status, body = 599, b""
            con.close()
            seen[f"{step.method} {status}"] += 1
            if status < 300:
                if step.method == "POST":
                    acks.writes.append((ticket, step))
                desk.advance(ticket, json.loads(body) if step.kind == "open" else None)
        return seen

    work(40)
    filler = fill(data.parent)
    full = work(20)
    reads = Counter(str(get_json(port, p, tokens["operator"])[0]) for p in ("/health", "/api/v1/tickets") * 5)
    filler.unlink()
    time.sleep(2)
    after = work(20)
    alive = server.process is not None and server.process.poll() is None
    counts = check_history(port, tokens, acks) if alive else {"lost": len(acks.writes)}
    server.stop()
    print(
        f"  disk full: writes {dict(full)}, reads {dict(reads)}; after freeing: {dict(after)}",
        file=sys.stderr,
    )
    return {
        "disk_full_5xx_not_507": sum(
            v for k, v in full.items() if k.startswith("POST 5") and k != "POST 507"
        ),
        "disk_full_reads_failed": sum(v for k, v in reads.items() if k != "200"),
        "not_recovered": sum(v for k, v in after.items() if not k.split()[1].startswith("2")),
        "disk_full_lost": counts["lost"] + (0 if alive else 1),
    }


def schema_cases(opts: argparse.Namespace, tmp: Path) -> dict[str, int] | str:
    """Schemathesis's CLI once per role against a served desk; failures grouped by check."""
    try:
        import schemathesis  # noqa: F401
    except ImportError:
        return "schemathesis is not installed (pip install -e '.[bench]')"
    data = tmp / "schema-data"
    tokens = create_users(data)
    server = Server(data, free_port())
    server.start()
    failures: Counter[tuple[str, str]] = Counter()
    cases = 0
    try:
        for role in opts.roles.split(","):
            report = tmp / f"junit-{role}.xml"
            cases += run_schemathesis(opts, server.port, tokens[role], report)
            failures.update(junit_failures(report))
    finally:
        server.stop()
    for (check, route), n in sorted(failures.items()):
        print(f"  schemathesis {check}: {route} ×{n}", file=sys.stderr)
    by_check: Counter[str] = Counter()
    for (check, _), n in failures.items():
        by_check[check] += n
    return {
        "5xx": by_check.pop("not_a_server_error", 0),
        "schema_violations": by_check.pop("response_schema_conformance", 0),
        "undeclared_status": by_check.pop("status_code_conformance", 0),
        "other_failures": sum(by_check.values()),
        "cases": cases,
    }


def run_schemathesis(opts: argparse.Namespace, port: int, token: str, report: Path) -> int:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"http://127.0.0.1:{port}/openapi.json",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        "--max-examples",
        str(opts.max_examples),
        "--phases",
        "examples,coverage,fuzzing",
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        "--seed",
        str(opts.seed),
        "--workers",
        "2",
        "--no-color",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=report.parent)
    found = re.search(r"(\d[\d,]*) generated", done.stdout)
    if not report.exists():
        raise RuntimeError(f"schemathesis wrote no report: {done.stdout[-3000:]} {done.stderr[-2000:]}")
    return int(found.group(1).replace(",", "")) if found else 0


def junit_failures(report: Path) -> Counter[tuple[str, str]]:
    """(check, operation) → failing cases; one testcase is one operation, each failure one kind."""
    found: Counter[tuple[str, str]] = Counter()
    for case in ElementTree.parse(report).iter("testcase"):
        for failure in [*case.iter("failure"), *case.iter("error")]:
            text = f"{failure.get('message', '')}\n{failure.text or ''}"
            check = classify(text)
            found[check, case.get("name", "?")] += 1
    return found


CHECK_CODES = {
    "ST101": "not_a_server_error",
    "ST102": "not_a_server_error",
    "ST103": "status_code_conformance",
    "ST104": "content_type_conformance",
    "ST105": "content_type_conformance",
    "ST106": "content_type_conformance",
    "ST108": "response_schema_conformance",
    "ST109": "response_schema_conformance",
    "ST110": "response_schema_conformance",
}
"""Schemathesis's failure codes (`schemathesis explain ST103`) by the check that reports them."""


def classify(text: str) -> str:
    found = re.search(r"\bST\d{3}\b", text)
    if found:
        return CHECK_CODES.get(found.group(0), found.group(0))
    if "Response violates schema" in text:
        return "response_schema_conformance"
    return "run error: " + (text.strip().splitlines() or ["?"])[0][:80]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kills", type=int, default=12)
    p.add_argument("--kill-every", type=float, default=3.0, help="mean seconds between kills")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--disk-mb", type=int, default=24, help="size of the tmpfs that fills up")
    p.add_argument("--max-examples", type=int, default=5, help="schemathesis cases per operation")
    p.add_argument("--roles", default="operator,supervisor,auditor,service,admin")
    p.add_argument("--skip", default="", help="comma-separated: crash, disk, schema")
    p.add_argument("--seed", type=int, default=12)
    opts = p.parse_args()
    skip = set(filter(None, opts.skip.split(",")))
    figures: dict[str, int] = {}
    notes: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if "crash" not in skip:
            data = tmp / "crash-data"
            figures.update(crashes(opts, data, create_users(data)))
            print(f"  crash: {figures}", file=sys.stderr, flush=True)
        for part, run in (("disk", disk_full), ("schema", schema_cases)):
            if part in skip:
                continue
            result = run(opts, tmp)
            print(f"  {part}: {result}", file=sys.stderr, flush=True)
            if isinstance(result, str):
                notes.append(f"{part} skipped: {result}")
            else:
                figures.update(result)
    counted = ("lost", "duplicated", "mismatches", "5xx", "schema_violations")
    line = " ".join(f"{k}={figures[k]}" for k in counted if k in figures)
    rest = " ".join(f"{k}={v}" for k, v in figures.items() if k not in counted)
    failed = any(figures.get(k, 0) for k in figures if k not in ("kills", "commands", "cases"))
    print(
        f"{line} {rest}{' (' + '; '.join(notes) + ')' if notes else ''} "
        f"in {time.perf_counter() - started:.0f} s: {'FAIL' if failed else 'PASS'} (ceiling 0 each)"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""A desk's day as HTTP requests, shared by bench/soak.py and bench/faults.py.

Each ticket lives through what an adapter and an operator do to it: opened by the channel
adapter (with the provider's message id), assigned, answered, the customer writes again, a note,
a tag, a second answer, read back, resolved, rated. Every write carries an Idempotency-Key (and
the provider id where the API has one), so a retry after a crash is safe; every text is unique, so
a check afterwards can tell a lost or a doubled message from the events.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROLES = {"service": "vk-bot", "operator": "anna", "supervisor": "sam", "auditor": "olga", "admin": "root"}


@dataclass(frozen=True)
class Step:
    """One request of a ticket's life; `path` holds `{id}` until the ticket is opened."""

    kind: str
    method: str
    path: str
    role: str
    body: dict[str, object] | None = None
    key: str | None = None
    text: str | None = None

    def headers(self, tokens: dict[str, str]) -> dict[str, str]:
        found = {"Authorization": f"Bearer {tokens[self.role]}", "Content-Type": "application/json"}
        return {**found, "Idempotency-Key": self.key} if self.key else found


def life(name: str) -> list[Step]:
    """The requests of one ticket, in order; `name` (unique per ticket) makes keys and texts unique."""

    def write(kind: str, path: str, role: str, body: dict[str, object], text: str | None = None) -> Step:
        return Step(kind, "POST", path, role, body, f"{name}-{kind}", text)

    hello, again = f"{name}: my card is blocked", f"{name}: still blocked"
    answer, later = f"{name}: unblocked, try again", f"{name}: fixed for good"
    note = f"{name}: checked with the card team"
    opening = {"channel": "vk", "customer": {"name": "Client", "handle": name}, "text": hello}
    return [
        write("open", "/api/v1/tickets", "service", {**opening, "external_id": name}, hello),
        write("assign", "/api/v1/tickets/{id}/assign", "supervisor", {"assignee": "anna"}),
        write("reply", "/api/v1/tickets/{id}/replies", "operator", {"text": answer}, answer),
        write(
            "message", "/api/v1/tickets/{id}/messages", "service", {"text": again, "external_id": f"{name}-2"}
        ),
        write("note", "/api/v1/tickets/{id}/notes", "operator", {"text": note}, note),
        write("tags", "/api/v1/tickets/{id}/tags", "operator", {"add": ["card"], "remove": []}),
        write("reply2", "/api/v1/tickets/{id}/replies", "operator", {"text": later}, later),
        Step("read", "GET", "/api/v1/tickets/{id}", "operator"),
        write("resolve", "/api/v1/tickets/{id}/resolve", "operator", {"resolution": "solved"}),
        write("rating", "/api/v1/tickets/{id}/rating", "service", {"score": "like"}),
        Step("queue", "GET", "/api/v1/tickets?status=open&limit=20", "operator"),
    ]


@dataclass
class Ticket:
    """A ticket being worked through its life by one client."""

    name: str
    steps: list[Step]
    id: str | None = None
    done: int = 0

    def next(self) -> Step | None:
        return self.steps[self.done] if self.done < len(self.steps) else None

    def path(self, step: Step) -> str:
        return step.path.replace("{id}", self.id or "")


@dataclass
class Desk:
    """The tickets one client keeps in hand at once (operators work several in parallel)."""

    prefix: str
    in_hand: int = 6
    opened: int = 0
    tickets: list[Ticket] = field(default_factory=list)
    turn: int = 0

    def pick(self) -> Ticket:
        """The next ticket due for a step, round-robin; a finished one is replaced by a new one."""
        while len(self.tickets) < self.in_hand:
            self.opened += 1
            name = f"{self.prefix}-{self.opened}"
            self.tickets.append(Ticket(name, life(name)))
        self.turn = (self.turn + 1) % len(self.tickets)
        return self.tickets[self.turn]

    def advance(self, ticket: Ticket, answer: dict[str, object] | None) -> None:
        step = ticket.next()
        if step is not None and step.kind == "open" and answer is not None:
            ticket.id = str(answer["id"])
        ticket.done += 1
        if ticket.next() is None:
            self.tickets.remove(ticket)


def send(con: http.client.HTTPConnection, step: Step, path: str, tokens: dict[str, str]) -> tuple[int, bytes]:
    body = json.dumps(step.body).encode() if step.body is not None else None
    con.request(step.method, path, body=body, headers=step.headers(tokens))
    response = con.getresponse()
    return response.status, response.read()


def deskstream(data: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "--data", str(data), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"deskstream {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def create_users(data: Path) -> dict[str, str]:
    """One user and token per role, as an admin sets up a desk: role → token."""
    return {
        role: deskstream(data, "token", "create", "--name", name, "--role", role).strip()
        for role, name in ROLES.items()
    }


def start_server(
    data: Path, port: int, env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """`deskstream serve` as a user starts it, without the access log (it would cost CPU here).
    Its log goes to a file (beside the data dir unless told): a pipe nobody reads would fill up
    with tracebacks and stall the server."""
    log = log or data.parent / f"{data.name}-server.log"
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "--data", str(data), "serve", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "DESKSTREAM_ACCESS_LOG": "off", **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )


def wait_healthy(port: int, process: subprocess.Popen[bytes] | None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see its log")
        try:
            con = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            con.request("GET", "/health")
            if con.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"no healthy server on port {port} after {timeout} s")


@contextmanager
def served(data: Path, port: int, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    process = start_server(data, port, env)
    try:
        wait_healthy(port, process)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc (VmRSS, in kB there)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def rss_parts(pid: int) -> str:
    """VmRSS split as the kernel counts it: anonymous memory (heaps, caches) against file pages
    mapped and touched (shared libraries, SQLite's mmap of its files), which the OS can drop."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in lines if line.startswith(("RssAnon", "RssFile", "RssShmem")))
    return ", ".join(
        f"{k.removeprefix('Rss').lower()} {int(v.split()[0]) // 1024}" for k, v in fields.items()
    )

"""The supervisor dashboard's server time on a year of history: the whole page for a month, the
tickets behind a figure, and one ticket's explanation.

    .venv/bin/python bench/dashboard.py                          # 1.0M events, then 10.2M
    .venv/bin/python bench/dashboard.py --tickets 2000000 --data /tmp/dash   # keep and reuse

The history is bench/reports.py's (2M tickets: 10.2M events over 2025, a business calendar, a
stricter policy from 1 July), folded by the analytics projection under a source of its own
("bench"), as bench/ui.py seeds the queue: the server's runners still follow the real, nearly
empty log, so commands and explanations go through it. Then `deskstream serve` runs as a user
starts it and a supervisor, signed in through the form, asks for June 2025 over HTTP (one
keep-alive client, as a browser tab).

Reports are cached per view position, so a figure is timed twice: *cold*, with a note on a ticket
before each request (the view has moved, nothing is cached, as on a live desk), and *warm*, the same
request again. Explanations are of real tickets (opened, answered, paused, resolved through the
API). Each figure is printed beside its ceiling (the issue's target) and a yardstick from the same
run: the report API's own summary for the same query, cold.
"""

import argparse
import http.client
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

import httpx2  # noqa: E402

from api.settings import Settings  # noqa: E402
from api.view_files import ANALYTICS_FILE, view_file  # noqa: E402
from bench.reports import batches, history  # noqa: E402
from bench.ui import Http, percentiles, session_cookie, timed, verdict  # noqa: E402
from projections.analytics import AnalyticsDb, AnalyticsProjection  # noqa: E402
from tests.browser.desk import set_password  # noqa: E402
from tests.e2e.server import deskstream, served  # noqa: E402

CEILINGS = {"page_p99_ms": 300.0, "drill_p99_ms": 100.0, "explain_p99_ms": 100.0}
SOURCE = "bench"
MONTH = {"preset": "custom", "from": "2025-06-01", "to": "2025-06-30", "tz": "Europe/Moscow"}
API_MONTH = {"from": "2025-06-01T00:00:00+03:00", "to": "2025-07-01T00:00:00+03:00", "tz": "Europe/Moscow"}
FIGURES = ("sla:first_response:breached", "frt:3600-14400", "daily:received:2025-06-16", "csi:dislike")
ELSEWHERE = {"from": "2020-01-01T00:00:00Z", "to": "2020-01-02T00:00:00Z"}
"""A window nobody asks for: the wait for the view after a command reads it, caching nothing else."""


def say(text: str) -> None:
    print(text, flush=True)


def seed(settings: Settings, tickets: int) -> int:
    """Folds bench/reports.py's history into the analytics view; returns how many events."""
    db = AnalyticsDb(view_file(settings, ANALYTICS_FILE))
    projection = AnalyticsProjection(db)
    count, started = 0, time.perf_counter()
    for batch in batches(history(tickets), 200_000):
        projection.apply(batch, SOURCE)
        count += len(batch)
    db.con.execute("CHECKPOINT")
    db.close()
    say(f"seeded the analytics view with {count:,} events for {tickets:,} tickets "
        f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    return count


def prepare(data: Path, tickets: int) -> tuple[str, str]:
    """A supervisor with a password and a token, an adapter's token, and the seeded view; a data
    dir seeded before (--data) is reused as it is."""
    tokens = data / "bench-tokens"
    if not tokens.exists():
        set_password(data, "sofia", "supervisor")
        made = [deskstream(data, "token", "create", "--name", name, "--role", role).strip()
                for name, role in (("sofia", "supervisor"), ("bot", "service"))]  # fmt: skip
        seed(Settings(data_dir=data), tickets)
        tokens.write_text("\n".join(made))
    staff, bot = tokens.read_text().split()
    return staff, bot


class Desk:
    """The API as the adapter and the supervisor, for the tickets explained and the notes that
    move the view between cold requests."""

    def __init__(self, base: str, staff: str, bot: str) -> None:
        self.api = httpx2.Client(base_url=f"{base}/api/v1", timeout=60)
        self.staff = {"Authorization": f"Bearer {staff}"}
        self.bot = {"Authorization": f"Bearer {bot}"}

    def post(self, path: str, body: dict[str, object], bot: bool = False) -> dict[str, object]:
        answer = self.api.post(path, json=body, headers=self.bot if bot else self.staff)
        assert answer.status_code in (200, 201), (path, answer.status_code, answer.text)
        return answer.json()  # type: ignore[no-any-return]

    def opened(self, n: int) -> str:
        body = {"channel": "vk", "customer": {"name": f"Client {n}", "handle": f"explain-{n}"}, "text": "Hi"}
        return str(self.post("/tickets", body, bot=True)["id"])

    def worked_ticket(self, n: int) -> str:
        """Opened, answered, asked again, paused for the customer, resumed, answered, resolved."""
        ticket = self.opened(n)
        for path, data, bot in (
            ("replies", {"text": "Hello, looking"}, False),
            ("messages", {"text": "Any news?"}, True),
            ("pause", {"reason": "waiting_customer"}, False),
            ("resume", {}, False),
            ("replies", {"text": "Done"}, False),
            ("resolve", {"resolution": "solved"}, False),
        ):
            self.post(f"/tickets/{ticket}/{path}", data, bot)
        return ticket

    def moved(self, ticket: str) -> Callable[[], None]:
        """A note on `ticket`, waited for until the analytics view has it: caches are stale after."""

        def note() -> None:
            done = self.post(f"/tickets/{ticket}/notes", {"text": "checked"})
            wait = {**ELSEWHERE, "min_position": done["position"]}
            assert self.api.get("/reports/summary", params=wait, headers=self.staff).status_code == 200

        return note


class Client(Http):
    """A keep-alive connection opened again once the server has closed it for idling (uvicorn,
    after 5 s): `timed` makes one untimed request first, so a reopening is never a sample."""

    def get(self, path: str, extra: dict[str, str] | None = None) -> tuple[int, bytes]:
        try:
            return super().get(path, extra)
        except (http.client.RemoteDisconnected, ConnectionError):
            self.con.close()
            return super().get(path, extra)


def report(label: str, samples: list[float], ceiling: float | None = None) -> float:
    p50, p99 = percentiles(samples)
    tail = f" (ceiling {ceiling:.0f} ms) {verdict(p99 * 1000, ceiling)}" if ceiling else ""
    say(f"  {label:<44} p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms{tail}")
    return p99 * 1000


def shown(html: bytes, summary: bytes) -> None:
    """The page timed is the dashboard with the month's figures, not an error page."""
    received = json.loads(summary)["tickets_received"]
    assert received > 0 and f"{received:,}".encode() in html, received
    say(f"  (the page shows the {received:,} tickets received that the API counts)")


def page_times(base: str, desk: Desk, ticket: str, runs: int, staff: str) -> None:
    page = Client(base, {"Cookie": session_cookie(base, "sofia")})
    api = Client(base, {"Authorization": f"Bearer {staff}"})
    cold = desk.moved(ticket)
    month = "/dashboard?" + urlencode(MONTH)
    one = "/dashboard?" + urlencode({**MONTH, "operator": "op07"})
    summary = "/api/v1/reports/summary?" + urlencode(API_MONTH)
    say(f"the dashboard for June 2025 ({runs} requests each, one keep-alive client):")
    shown(page.get(month)[1], api.get(summary)[1])
    report("whole page, cold", timed(lambda: page.get(month), runs, before=cold), CEILINGS["page_p99_ms"])
    report("whole page, warm", timed(lambda: page.get(month), runs))
    report("one operator, cold", timed(lambda: page.get(one), runs, before=cold), CEILINGS["page_p99_ms"])
    business = "/dashboard?" + urlencode({**MONTH, "clock": "calendar"})
    report("calendar clock, cold", timed(lambda: page.get(business), runs, before=cold))
    report("yardstick: GET /api/v1/reports/summary, cold", timed(lambda: api.get(summary), runs, before=cold))
    say("the tickets behind a figure (first page of 50):")
    for figure in FIGURES:
        drill = "/dashboard/tickets?" + urlencode({**MONTH, "figure": figure})
        report(
            f"{figure}, cold", timed(lambda d=drill: page.get(d), runs, before=cold), CEILINGS["drill_p99_ms"]
        )
    listing = "/api/v1/reports/tickets?" + urlencode({**API_MONTH, "figure": FIGURES[0], "limit": 50})
    report("API GET /reports/tickets, cold", timed(lambda: api.get(listing), runs, before=cold))


def explain_times(base: str, desk: Desk, tickets: list[str], runs: int, staff: str) -> None:
    page = Client(base, {"Cookie": session_cookie(base, "sofia")})
    api = Client(base, {"Authorization": f"Bearer {staff}"})
    turn = iter(range(10**9))

    def one(path: str, client: Http = page) -> Callable[[], tuple[int, bytes]]:
        return lambda: client.get(path.format(tickets[next(turn) % len(tickets)]))

    say(f"explain, over {len(tickets)} tickets of 9 events each:")
    report("the explain page", timed(one("/tickets/{}/explain"), runs), CEILINGS["explain_p99_ms"])
    report("GET /api/v1/tickets/{id}/explain", timed(one("/api/v1/tickets/{}/explain", api), runs),
           CEILINGS["explain_p99_ms"])  # fmt: skip


def policy_time(base: str, desk: Desk, ticket: str, runs: int = 5) -> None:
    """The policy comparison re-judges every ticket of the month, so it is not one of the issue's
    pages with a target; its cost is printed so that it is known."""
    page = Client(base, {"Cookie": session_cookie(base, "sofia")})
    path = "/dashboard/policy?" + urlencode({**MONTH, "policy": "std", "version": "2"})
    took = sorted(timed(lambda: page.get(path), runs, before=desk.moved(ticket)))
    say(f"policy then vs now, June re-judged under version 2, cold ({runs} requests): "
        f"median {took[len(took) // 2]:.2f} s, slowest {took[-1]:.2f} s")  # fmt: skip


def run(data: Path, tickets: int, runs: int, policy: bool) -> None:
    staff, bot = prepare(data, tickets)
    with served(data) as base:
        desk = Desk(base, staff, bot)
        worked = [desk.worked_ticket(n) for n in range(20)]
        noted = desk.opened(len(worked))
        say(f"deskstream serve on {data} ({tickets:,} tickets seeded), load average {os.getloadavg()[0]:.2f}")
        page_times(base, desk, noted, runs, staff)
        explain_times(base, desk, worked, runs, staff)
        if policy:
            policy_time(base, desk, noted)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tickets", type=int, nargs="+", default=[200_000, 2_000_000])
    p.add_argument("--runs", type=int, default=100, help="requests per figure")
    p.add_argument("--data", type=Path, help="keep (and on later runs reuse) the seeded data dirs here")
    p.add_argument("--policy", action="store_true", help="also time the policy comparison once")
    args = p.parse_args()
    say(f"deskstream bench/dashboard.py on {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        for tickets in args.tickets:
            run((args.data or Path(tmp)) / f"tickets-{tickets}", tickets, args.runs, args.policy)
    say(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

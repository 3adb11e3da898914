"""A real server on a really full disk: a small tmpfs holds its data directory.

Writes are refused with 507 and lose nothing acknowledged; reads go on; a server killed while the
disk is full starts again and serves reads; when space returns everything resumes, no restart.
"""

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import duckdb
import httpx2
import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from fastapi.testclient import TestClient

from api.app import create_app
from application.command import Context
from projections.analytics import AnalyticsDb, AnalyticsProjection
from projections.disk_space import is_disk_full
from tests.e2e.server import REPO, deskstream, free_port, wait_until_healthy
from tests.fixtures.payloads import TG_SECRET, add_channels, admin_token, raw, recording_server
from tests.support import Clock, sqlite_runtime

DISK_SIZE = "48m"
NOTE = "n" * 60_000
TODAY = datetime.now(UTC)
WINDOW = {"from": (TODAY - timedelta(days=30)).isoformat(), "to": (TODAY + timedelta(days=30)).isoformat()}
READ_ONLY_LINE = "the disk is full: the views are read-only"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", str(disk)],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except FileNotFoundError:
        pytest.skip("there is no mount command to mount a small tmpfs with")
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here (needs root): {done.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False, timeout=10)


class Server:
    """`deskstream serve` on the small disk, its log kept in a file outside it."""

    def __init__(self, data: Path, log: Path) -> None:
        self.data, self.log, self.port = data, log, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, views: bool = True) -> None:
        env = {
            **os.environ,
            "DESKSTREAM_ANALYTICS_PACE": "0.05",
            "DESKSTREAM_ACCESS_LOG": "off",
            "DESKSTREAM_PROJECTIONS": "on" if views else "off",
        }
        command = [
            sys.executable,
            "-m",
            "api.cli",
            "--data",
            str(self.data),
            "serve",
            "--port",
            str(self.port),
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log)
        wait_until_healthy(self.base, self.process)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def lines(self) -> str:
        return self.log.read_text(errors="replace")


def fill(disk: Path) -> Path:
    """Writes a ballast file until not one more byte fits."""
    ballast = disk / "ballast"
    with ballast.open("ab", buffering=0) as out:
        for chunk in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    out.write(b"\0" * chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return ballast


def note_until_refused(api: httpx2.Client, ticket: str, acknowledged: list[int]) -> httpx2.Response:
    """Space freed inside the store's own files takes a few more writes; then they are refused."""
    for _ in range(300):
        response = api.post(f"/tickets/{ticket}/notes", json={"text": NOTE})
        if response.status_code != 200:
            return response
        acknowledged.append(response.json()["version"])
    raise AssertionError("300 notes of 60 kB fitted on a full disk")


def eventually(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within 10 s"
        time.sleep(0.1)


def test_a_full_disk_refuses_writes_with_507_keeps_serving_reads_and_recovers_without_a_restart(
    small_disk: Path, tmp_path: Path
) -> None:
    """The first server runs without its views, so that at the crash they are behind the log, as
    after a crash under load: the second one has to catch them up on a full disk."""
    data = small_disk / "data"
    token = deskstream(data, "token", "create", "--name", "anna", "--role", "supervisor").strip()
    server = Server(data, tmp_path / "server.log")
    server.start(views=False)
    api = httpx2.Client(base_url=f"{server.base}/api/v1", headers={"Authorization": f"Bearer {token}"})
    try:
        opened = api.post("/tickets", json={"channel": "vk", "customer": {"handle": "id1"}, "text": "Hi"})
        ticket, acknowledged = opened.json()["id"], [1]
        ballast = fill(small_disk)
        refused = note_until_refused(api, ticket, acknowledged)
        assert refused.status_code == 507, refused.text
        assert refused.json()["error"] == "insufficient_storage"
        assert refused.headers["Retry-After"].isdigit()
        assert refused.headers["Connection"] == "close"
        assert api.get(f"/tickets/{ticket}").status_code == 200
        assert api.get("/tickets").status_code == 200

        server.kill()
        before = len(server.lines())
        server.start()
        assert api.get(f"/tickets/{ticket}").json()["version"] == acknowledged[-1]
        assert api.get("/tickets").status_code == 200
        assert api.get("/reports/summary", params=WINDOW).status_code == 200
        assert api.post(f"/tickets/{ticket}/notes", json={"text": NOTE}).status_code == 507
        eventually(lambda: READ_ONLY_LINE in server.lines()[before:])

        ballast.unlink()
        tagged = api.post(f"/tickets/{ticket}/tags", json={"add": ["after-the-flood"]})
        assert tagged.status_code == 200, tagged.text
        position = tagged.json()["position"]
        [row] = api.get("/tickets", params={"min_position": position}).json()["data"]
        assert row["tags"] == ["after-the-flood"]
        summary = api.get("/reports/summary", params={**WINDOW, "min_position": position}).json()
        assert summary["position"] >= position
        events = api.get(f"/tickets/{ticket}/events").json()["data"]
        assert [e["version"] for e in events] == [*acknowledged, acknowledged[-1] + 1]
        restarted_log = server.lines()[before:]
        assert restarted_log.count(READ_ONLY_LINE) == 1
        assert "there is room on the disk again" in restarted_log
        assert "Traceback" not in restarted_log
    finally:
        api.close()
        server.stop()


def test_the_analysts_view_opens_read_only_on_a_full_disk_and_writes_again_once_there_is_room(
    small_disk: Path,
) -> None:
    """Opening DuckDB for writing writes its WAL: on a full disk that failed, and so did `serve`."""
    path = small_disk / "analytics.duckdb"
    AnalyticsDb(path).close()
    ballast = fill(small_disk)
    db = AnalyticsDb(path)
    try:
        assert db.cursor().execute("SELECT count(*) FROM tickets").fetchall() == [(0,)]
        with pytest.raises(OSError, match="read-only until the disk has room"), db.transaction():
            pass
        ballast.unlink()
        with db.transaction() as cur:
            cur.execute("INSERT INTO tracking VALUES ('log', 7, NULL)")
        assert AnalyticsProjection(db).position("log") == 7
    finally:
        db.close()


def no_slack(data: Path) -> None:
    """Empties the SQLite WALs, so that the next write needs a new page: on a full disk it fails
    at once, not after the room left in the files."""
    for name in ("events.sqlite", "ingest.sqlite"):
        with sqlite3.connect(data / name) as con:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_reply_sent_while_the_disk_is_full_is_not_sent_again_every_second(small_disk: Path) -> None:
    """The outbox sends, then cannot record the delivery; its next pass must record, not resend."""
    data = small_disk / "data"
    runtime = sqlite_runtime(data, Clock())
    with recording_server() as provider, TestClient(create_app(runtime)) as client:
        for name in ("anna", "oleg"):
            runtime.helpdesk.register_user(name, "operator")
        add_channels(client, admin_token(runtime), api_base=provider.url)
        headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
        posted = client.post(
            "/api/v1/ingest/telegram/tg", content=raw("telegram_message_ru.json"), headers=headers
        )
        ticket = UUID(posted.json()["messages"][0]["ticket_id"])
        runtime.helpdesk.change(ticket, Context("anna"), None, lambda t, s: t.reply("We will check", s))
        runtime.runner.catch_up()
        assert runtime.ingest is not None
        outbox = runtime.ingest.outbox
        no_slack(data)
        ballast = fill(small_disk)
        for _ in range(3):
            with pytest.raises(Exception) as failed:
                outbox.run_once()
            assert is_disk_full(failed.value), failed.value
        assert len(provider.requests) == 1
        ballast.unlink()
        assert outbox.run_once() == 1
        assert len(provider.requests) == 1
        assert type(runtime.helpdesk.history(ticket)[-1]).__name__ == "ReplyDelivered"


def wrapped(cause: BaseException) -> BaseException:
    """As the event library raises it: its own error, the driver's as the cause."""
    try:
        raise OperationalError(str(cause)) from cause
    except OperationalError as exc:
        return exc


@pytest.mark.parametrize(
    "exc",
    [
        wrapped(sqlite3.OperationalError("database or disk is full")),
        wrapped(psycopg.errors.DiskFull("could not extend file: No space left on device")),
        OSError(errno.ENOSPC, "No space left on device"),
        duckdb.IOException('Could not write file "a.duckdb.wal": No space left on device'),
    ],
    ids=["sqlite", "postgresql", "os", "duckdb"],
)
def test_every_stores_way_of_saying_the_disk_is_full_is_a_507_not_a_500(exc: BaseException) -> None:
    assert is_disk_full(exc)
    assert not is_disk_full(wrapped(sqlite3.OperationalError("database is locked")))


def test_an_unexpected_error_tells_the_client_to_open_a_new_connection(tmp_path: Path) -> None:
    """uvicorn closes the connection after an exception; a client reusing it would get a reset."""
    runtime = sqlite_runtime(tmp_path / "data", Clock())
    app = create_app(runtime)
    token = admin_token(runtime)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/boom-page")
    def boom_page() -> None:
        raise RuntimeError("a bug on a page")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom", headers={"Authorization": f"Bearer {token}"})
        page = client.get("/boom-page")
    assert response.status_code == 500
    assert response.headers["Connection"] == "close"
    assert response.json()["error"] == "internal_error"
    assert page.status_code == 500 and page.headers["Connection"] == "close"
    assert page.headers["content-type"].startswith("text/html") and "Traceback" not in page.text

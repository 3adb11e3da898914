"""Attacks on the request path itself: bodies that would exhaust memory, waits that hold workers."""

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import pytest

from tests.e2e.server import deskstream, served

POST = "POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
TICKET = {"channel": "vk", "customer": {"name": "Ivan", "handle": "id1"}, "text": "Card blocked"}


def raw_request(base: str, head: str, body: bytes, timeout: float = 5.0) -> bytes:
    """Sends the head and part of a body, then reads what the server answers before the rest."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as sock:
        sock.sendall(head.encode() + b"\r\n\r\n" + body)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def server_rss_kb(base: str) -> int:
    port = urlsplit(base).port
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if b"serve" in cmdline and str(port).encode() in cmdline:
            line = next(x for x in status.read_text().splitlines() if x.startswith("VmRSS"))
            return int(line.split()[1])
    raise LookupError("no server process")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    data = tmp_path_factory.mktemp("limits") / "data"
    token = deskstream(data, "token", "create", "--name", "bot", "--role", "service").strip()
    with served(data) as base:
        yield base, {"Authorization": f"Bearer {token}"}


def test_an_anonymous_300_mb_post_is_refused_before_its_body_is_read(
    server: tuple[str, dict[str, str]],
) -> None:
    base, _ = server
    before = server_rss_kb(base)
    head = POST + "Content-Length: 300000000"
    answer = raw_request(base, head, b"{" + b" " * 65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"payload_too_large"' in answer
    assert server_rss_kb(base) - before < 20_000


def test_an_anonymous_chunked_body_is_answered_401_before_it_is_read(
    server: tuple[str, dict[str, str]],
) -> None:
    head = POST + "Transfer-Encoding: chunked"
    answer = raw_request(server[0], head, b"10000\r\n" + b" " * 0x10000 + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b'"unauthorized"' in answer


def test_a_10_mb_body_with_a_token_is_413_not_422(server: tuple[str, dict[str, str]]) -> None:
    base, auth = server
    big = {**TICKET, "text": "x" * 10_000_000}
    response = httpx2.post(f"{base}/api/v1/tickets", json=big, headers=auth, timeout=30)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    under_limit = {**TICKET, "text": "x" * 900_000}
    response = httpx2.post(f"{base}/api/v1/tickets", json=under_limit, headers=auth, timeout=30)
    assert response.status_code == 422, "over the text limit, under the body limit: the model decides"
    assert httpx2.post(f"{base}/api/v1/tickets", json=TICKET, headers=auth).status_code == 201


def test_a_min_position_past_the_log_is_refused_at_once(server: tuple[str, dict[str, str]]) -> None:
    base, auth = server
    started = time.monotonic()
    response = httpx2.get(
        f"{base}/api/v1/tickets", params={"min_position": 4611686018427387904}, headers=auth
    )
    assert response.status_code == 422
    assert response.json()["error"] == "position_ahead_of_log"
    assert time.monotonic() - started < 1.0


def test_readers_waiting_for_stalled_views_do_not_starve_other_readers(tmp_path: Path) -> None:
    """With the views left to another process (none runs), a reachable position is never reached:
    readers wait their full timeout, and a plain read still answers at once; past the cap of
    waiting readers (8 here) the server says 503 rather than queueing."""
    data = tmp_path / "data"
    token = deskstream(data, "token", "create", "--name", "anna", "--role", "operator").strip()
    auth = {"Authorization": f"Bearer {token}"}
    with served(data, env={"DESKSTREAM_PROJECTIONS": "off", "DESKSTREAM_MAX_WAITING_READERS": "8"}) as base:
        head = httpx2.get(f"{base}/health").json()
        assert head["position"] == 0

        def waiting_read(_: int) -> int:
            params = {"min_position": 2}
            return httpx2.get(f"{base}/api/v1/tickets", params=params, headers=auth, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=40) as pool:
            waiting = [pool.submit(waiting_read, i) for i in range(40)]
            time.sleep(1.0)
            started = time.monotonic()
            plain = httpx2.get(f"{base}/api/v1/tickets", headers=auth, timeout=30)
            took = time.monotonic() - started
            statuses = sorted(f.result() for f in waiting)
        assert plain.status_code == 200
        assert took < 0.5, f"a plain read took {took:.2f} s behind the waiters"
        assert set(statuses) == {200, 503}, "every reader is served or told to retry"
        assert statuses.count(200) >= 8

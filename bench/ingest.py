"""Webhook intake end to end: HTTP POST of a Telegram update → 200 once the event is stored.

Starts `deskstream serve` on a fresh data dir (SQLite, embedded mode), adds a Telegram channel,
then concurrent senders post real-format updates: each customer writes several messages, so
both ticket openings and appends to the open ticket are measured. Prints messages/s and
latency percentiles.

    .venv/bin/python bench/ingest.py --messages 4000 --senders 16 --per-customer 4
    .venv/bin/python bench/ingest.py --messages 10000 --senders 32 --rate 500
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SECRET = "bench-secret"


def update(n: int, per_customer: int) -> bytes:
    customer = 10_000_000 + n // per_customer
    return json.dumps(
        {
            "update_id": 900_000_000 + n,
            "message": {
                "message_id": n,
                "from": {"id": customer, "is_bot": False, "first_name": "Покупатель", "language_code": "ru"},
                "chat": {"id": customer, "type": "private"},
                "date": int(time.time()) - 60,
                "text": f"Сообщение {n}: не проходит оплата 💳",
            },
        },
        ensure_ascii=False,
    ).encode()


def wait_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            con = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            con.request("GET", "/health")
            if con.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def process_cpu_seconds(pid: int) -> float:
    """User + system time of the server, from /proc: steadier than wall time on a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def send_all(port: int, bodies: list[bytes], senders: int, rate: int) -> tuple[list[float], list[int]]:
    """Closed loop (rate 0): each sender posts its next message when the last is answered, which
    finds the most the server can take. Open loop: message i is due at start + i/rate, as
    providers deliver whatever the server's pace, and its latency counts from when it was due."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    counter = iter(range(len(bodies)))
    start = time.perf_counter() + 0.1

    def sender() -> None:
        con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            due = start + n / rate if rate else time.perf_counter()
            time.sleep(max(0.0, due - time.perf_counter()))
            for _ in range(5):  # a dropped keep-alive connection is retried, as providers do
                try:
                    con.request("POST", "/api/v1/ingest/telegram/tg", body=bodies[n], headers=headers)
                    response = con.getresponse()
                    response.read()
                    break
                except OSError:
                    con.close()
                    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - due
            with lock:
                latencies.append(elapsed)
                if response.status != 200:
                    failures.append(response.status)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--per-customer", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--access-log", action="store_true", help="keep uvicorn's access log (off, as behind a proxy)"
    )
    parser.add_argument(
        "--rate", type=int, default=0, help="messages/s sent on schedule (open loop); 0 sends flat out"
    )
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="ds-bench-"))
    exe = str(Path(sys.executable).with_name("deskstream"))
    env = {
        **os.environ,
        "DESKSTREAM_DATA": str(data),
        "DESKSTREAM_ACCESS_LOG": "on" if args.access_log else "off",
    }
    subprocess.run(
        [exe, "channel", "add", "--kind", "telegram", "--name", "tg", "--set", f"secret_token={SECRET}"],
        env=env,
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [exe, "serve", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(args.port)
        bodies = [update(n, args.per_customer) for n in range(args.messages)]
        cpu_before = process_cpu_seconds(server.pid)
        started = time.perf_counter()
        latencies, failures = send_all(args.port, bodies, args.senders, args.rate)
        seconds = time.perf_counter() - started
        server_cpu = process_cpu_seconds(server.pid) - cpu_before
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
        mode = f"open loop at {args.rate}/s" if args.rate else "closed loop"
        print(
            f"{args.messages} messages, {args.senders} senders ({mode}), {args.per_customer} per customer: "
            f"{len(latencies) / seconds:,.0f} messages/s; latency p50 {p(0.5):.1f} ms, "
            f"p90 {p(0.9):.1f} ms, p99 {p(0.99):.1f} ms, mean {statistics.mean(latencies) * 1000:.1f} ms; "
            f"non-200: {len(failures)}; server CPU {server_cpu / len(latencies) * 1000:.2f} ms/message "
            f"({server_cpu / seconds:.0%} of a core)"
        )
        return 1 if failures else 0
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())

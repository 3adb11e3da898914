"""bench/faults.py's disk-full episode: a data dir on a small tmpfs that fills up."""

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.faults_verify import Acks, Server, check_history, get_json
from bench.workload import Desk, create_users, free_port, send


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

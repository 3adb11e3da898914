"""bench/faults.py's schemathesis run: every operation, every role, failures grouped by check."""

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

from bench.faults_verify import Server
from bench.workload import create_users, free_port


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
    """One worker: with two, CPython 3.11's compile() inside hypothesis (describing a lambda)
    failed now and then with "AST constructor recursion depth mismatch", a run error of the
    tool's own, not an answer of the server's."""
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
        "1",
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

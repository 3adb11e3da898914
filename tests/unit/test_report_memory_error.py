"""A report DuckDB cannot compute within the analytics view's memory limit is a 503 naming the
limit and what to do, with the connection closed as after every server-side failure: not a 500."""

import duckdb
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import errors


def app_whose_report_runs_out_of_memory() -> FastAPI:
    app = FastAPI()
    errors.install(app)

    @app.get("/api/v1/reports/sla-compare")
    def compare() -> None:
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block (61.0 MiB/61.0 MiB used)")

    return app


def test_a_report_larger_than_the_memory_limit_is_a_503_that_says_what_to_do() -> None:
    with TestClient(app_whose_report_runs_out_of_memory(), raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/reports/sla-compare")
    assert answer.status_code == 503
    assert answer.json()["error"] == "report_too_large"
    assert "DESKSTREAM_DUCKDB_MEMORY_MB" in answer.json()["detail"]
    assert answer.headers["connection"] == "close"

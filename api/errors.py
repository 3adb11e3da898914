"""Every failure leaves as `{"error": code, "detail": sentence}`; bad input is never a 500.

A full disk is a 507 with Retry-After: nothing was saved, and the same request will work once
there is room. A report DuckDB cannot compute within its memory limit is a 503 that says so. A
500, 503 or 507 says `Connection: close`: after an unexpected exception uvicorn drops the
connection, and a client that reused it would see a reset instead of its answer.
"""

import logging
import sqlite3
import time

import duckdb
import psycopg
from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from domain.errors import ConflictError, DomainError, ForbiddenError, InvalidCommandError, NotFoundError
from projections.disk_space import is_disk_full

log = logging.getLogger(__name__)

STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (NotFoundError, 404),
    (ConflictError, 409),
    (InvalidCommandError, 422),
    (ForbiddenError, 403),
]

STORAGE_ERRORS: tuple[type[Exception], ...] = (
    PersistenceError,
    sqlite3.Error,
    psycopg.Error,
    duckdb.Error,
    OSError,
)
"""What the stores raise; handled inside the app, so uvicorn keeps the connection it can."""
API_PATHS = ("/api/", "/docs", "/redoc", "/openapi.json", "/health")
RETRY_AFTER_SECONDS = 30
LOG_FULL_EVERY_SECONDS = 60.0
TOO_LARGE = (
    "This report needs more memory than the analytics view may use (DESKSTREAM_DUCKDB_MEMORY_MB); "
    "narrow the period or the filters, or raise the limit."
)


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


def error(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


def answer(request: Request, status: int, code: str, detail: str) -> Response:
    """JSON for the API; on a workspace page, the page's own error view (api.web.pages_errors)."""
    page_error = getattr(request.app.state, "page_error", None)
    if page_error is not None and not request.url.path.startswith(API_PATHS):
        return page_error(request, status, code, detail)  # type: ignore[no-any-return]
    return error(status, code, detail)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        response = answer(request, exc.status, exc.code, exc.detail)
        response.headers.update(headers or {})
        return response

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        status = next((s for cls, s in STATUS_BY_ERROR if isinstance(exc, cls)), 422)
        return answer(request, status, exc.code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = exc.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return answer(request, 400, "malformed_json", "The request body is not valid JSON.")
        return answer(request, 422, "invalid_request", "; ".join(describe(p) for p in problems))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        response = answer(request, exc.status_code, code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    async def storage_failure(request: Request, exc: Exception) -> Response:
        return failure(request, exc)

    for cls in STORAGE_ERRORS:
        app.add_exception_handler(cls, storage_failure)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        return failure(request, exc)


def failure(request: Request, exc: Exception) -> Response:
    """507 for a full disk, 503 for a report larger than DuckDB may hold, else 500; in every case
    the client is told to open a new connection."""
    if is_disk_full(exc):
        full_disk_log.note(request)
        response = answer(
            request,
            507,
            "insufficient_storage",
            "The server's disk is full, so nothing was saved; retry later, the same request will work.",
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    elif isinstance(exc, duckdb.OutOfMemoryException):
        log.warning("%s %s needs more than the analytics view's memory limit: %s", request.method,
                    request.url.path, str(exc).splitlines()[0])  # fmt: skip
        response = answer(request, 503, "report_too_large", TOO_LARGE)
    else:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        response = answer(
            request, 500, "internal_error", "Something went wrong on our side; it has been logged."
        )
    response.headers["Connection"] = "close"
    return response


class FullDiskLog:
    """One line a minute while requests are refused for lack of space, not one per request."""

    def __init__(self) -> None:
        self.last = float("-inf")
        self.refused = 0

    def note(self, request: Request) -> None:
        self.refused += 1
        now = time.monotonic()
        if now - self.last >= LOG_FULL_EVERY_SECONDS:
            log.warning(
                "disk full: refused %d write(s) with 507, the last %s %s; reads go on",
                self.refused,
                request.method,
                request.url.path,
            )
            self.last, self.refused = now, 0


full_disk_log = FullDiskLog()


def describe(problem: dict[str, object]) -> str:
    location = ".".join(str(p) for p in problem.get("loc", ()) if p not in ("body", "query", "path"))
    message = str(problem.get("msg", "is invalid"))
    return f"{location}: {message}" if location else message

"""The OpenAPI document as the server really answers: one error model, every status declared.

FastAPI documents its own `{"detail": [...]}` for 422 and nothing for the other errors, while every
error deskstream sends is `{"error", "detail"}` (api.errors). Clients generated from that document
broke on the first error. The statuses an operation can return follow from what it takes: a body
can be malformed, too large or invalid; a path id can name nothing; a command can conflict or meet
a full disk; a read-your-writes wait can find too many waiters.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.guard import needs_token

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "A stable code, e.g. ticket_not_found"},
        "detail": {"type": "string", "description": "A sentence for a person"},
    },
}
MEANING = {
    "400": "Malformed request: the body is not JSON, or a header is not of its form.",
    "401": "No valid credentials: a bearer token, or for webhooks the provider's signature.",
    "403": "The caller's role (or the provider's signature) does not allow this.",
    "404": "Nothing of that kind has this id or name.",
    "409": "The resource's state forbids it, or it changed since the version in If-Match.",
    "413": "The request body is over the server's limit (1 MB by default).",
    "422": "A value that is not allowed, or an Idempotency-Key reused for another request.",
    "500": "An unexpected failure on the server's side; it has been logged.",
    "503": "The server cannot take this now (too many waiting readers); retry after Retry-After.",
    "507": "The store's disk is full; nothing was written. Retry after Retry-After.",
}
WRITES = ("post", "put", "patch", "delete")
BEARER = {"bearer": {"type": "http", "scheme": "bearer", "description": "`deskstream token create`"}}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            app.openapi_schema = with_errors(spec)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_errors(spec: dict[str, Any]) -> dict[str, Any]:
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for fastapi_own in ("HTTPValidationError", "ValidationError"):
        schemas.pop(fastapi_own, None)
    schemas["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = BEARER
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            declare(path, method, operation)
    return spec


def declare(path: str, method: str, operation: dict[str, Any]) -> None:
    """Every error status the operation can answer, with the one schema; a status a route declares
    itself (a 409 on a GET) keeps its own description."""
    params = operation.get("parameters", [])
    if needs_token(path):
        params[:] = [p for p in params if p.get("name", "").lower() != "authorization"]
        operation["security"] = [{"bearer": []}]
        if not params:
            operation.pop("parameters", None)
    responses = operation.setdefault("responses", {})
    found = statuses(path, method, operation, params)
    own = {s: r.get("description", "") for s, r in responses.items() if s[:1] in "45" and s not in found}
    for status in sorted({*found, *own}):
        responses[status] = {
            "description": own.get(status) or MEANING[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }


def statuses(path: str, method: str, operation: dict[str, Any], params: list[dict[str, Any]]) -> list[str]:
    names = {p.get("name") for p in params}
    found = {"400", "500"}
    if path.startswith("/api/v1/"):
        found |= {"401", "403", "413"}
    if params or "requestBody" in operation:
        found.add("422")
    if any(p.get("in") == "path" for p in params):
        found.add("404")
    if path.startswith("/api/v1/ingest/"):
        found |= {"404", "503"}
    if method in WRITES:
        found |= {"409", "422", "507"}
    if "min_position" in names:
        found.add("503")
    return sorted(found)

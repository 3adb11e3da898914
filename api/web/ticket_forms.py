"""What a ticket page's form posts, read as the API reads a body, and what went wrong, in words.

A form is parsed into the very model the API route takes (`ReplyIn`, `PauseIn`…), so the page
refuses what the API refuses. Each form carries a random key, its Idempotency-Key: a form posted
twice (a double click, a resend after a dropped connection) is applied once. Errors are told in
the viewer's language, next to the form's fields: a catalogue sentence for each kind of domain
error and of invalid field, else the API's own sentence.
"""

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from api.web.catalogue import messages, translate
from api.web.ticket_timeline import Item
from api.web.viewer import CSRF_FIELD, Form, Viewer
from domain.customer import Customer
from domain.errors import DomainError
from domain.idempotency import RequestKey

Model = TypeVar("Model", bound=BaseModel)
KEY_FIELD = "key"
MAX_KEY = 200
NOT_FINGERPRINTED = {CSRF_FIELD, KEY_FIELD}
INVALID = {
    "missing": "required",
    "string_too_short": "required",
    "string_too_long": "too_long",
    "too_long": "too_many",
    "literal_error": "choice",
    "enum": "choice",
    "uuid_parsing": "ticket_id",
    "uuid_type": "ticket_id",
}
CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class Collision:
    """The ticket moved on from the version a form was filled in against."""

    version: int
    items: list[Item]
    customer: Customer


@dataclass(slots=True)
class Problem:
    """Why a form was not applied: sentences for the person, or a collision to look at."""

    messages: list[str] = field(default_factory=list)
    collision: Collision | None = None


def first(form: Form, name: str) -> str:
    return next(iter(form.get(name, [])), "")


def every(form: Form, name: str) -> list[str]:
    return [value for value in form.get(name, []) if value.strip()]


def draft(form: Form) -> dict[str, str]:
    """What was typed, to put back into the form when it is shown again."""
    return {name: values[-1] for name, values in form.items() if name != CSRF_FIELD and values}


def new_key() -> str:
    return secrets.token_urlsafe(18)


def form_key(request: Request, viewer: Viewer, form: Form) -> RequestKey | None:
    """The form's key with a fingerprint of what it posted, as `api.idempotency` makes one of a
    request: the same key with other fields is a reuse, refused, never a silent replay."""
    key = first(form, KEY_FIELD).strip()
    if not key:
        return None
    route = f"{request.method} {request.url.path}"
    fields = sorted((k, v) for k, values in form.items() if k not in NOT_FINGERPRINTED for v in values)
    text = json.dumps([route, fields], ensure_ascii=False, separators=(",", ":"))
    return RequestKey(viewer.name, key[:MAX_KEY], hashlib.sha256(text.encode()).hexdigest(), route)


def parsed(model: type[Model], fields: Mapping[str, Any]) -> Model:
    """The API's model of the command; raises ValidationError as the API would refuse it."""
    return model.model_validate(dict(fields))


def invalid(language: str, exc: ValidationError) -> list[str]:
    return [field_problem(language, p) for p in exc.errors()]


def field_problem(language: str, problem: Mapping[str, Any]) -> str:
    location = [str(p) for p in problem.get("loc", ()) if not isinstance(p, int)]
    name = location[0] if location else ""
    label = translate(language, f"ticket.field.{name}") if name else ""
    kind = INVALID.get(str(problem.get("type")))
    context = problem.get("ctx") or {}
    if kind is None:
        sentence = str(problem.get("msg", ""))
    else:
        sentence = translate(language, f"ticket.invalid.{kind}", max=context.get("max_length", ""))
    return f"{label}: {sentence}" if label else sentence


def refused(language: str, exc: DomainError) -> str:
    """The catalogue's sentence for the error's class (or the nearest one it derives from), else
    the domain's own sentence, which is English."""
    known = messages(language)
    for cls in type(exc).__mro__:
        if cls is DomainError or not issubclass(cls, DomainError):
            break
        key = f"ticket.error.{CAMEL.sub('_', cls.__name__.removesuffix('Error')).lower()}"
        if key in known:
            return known[key]
    return str(exc)

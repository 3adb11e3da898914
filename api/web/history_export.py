"""One ticket's history as a file to hand over: JSON, and a printable HTML document for a regulator.

Both cover the events recorded by the as-of instant, by default the instant the last event was
recorded, so the same log gives the same bytes, and both name that instant and the last log
position covered. The JSON's events are those of `GET /api/v1/tickets/{id}/events`, field for
field. The HTML document stands alone: its style is inside it (allowed by its hash in the
Content-Security-Policy, since a saved copy has no server to fetch from), it loads nothing, and
it reads no clock. The place for the cryptographic proofs a later version adds is marked empty
in both (`proofs`: null).
"""

import base64
import hashlib
from datetime import datetime
from functools import cache

from fastapi import Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, Field

from api.bootstrap import Runtime
from api.models import EventPublic
from api.web.history_fields import rows
from api.web.history_times import Times, instant_param
from api.web.history_view import TicketHistory, covered, state_as_of
from api.web.templating import STATIC, render
from api.web.viewer import Viewer

STYLE = "history_export.css"


class HistoryExport(BaseModel):
    ticket_id: str
    as_of: AwareDatetime = Field(description="Events recorded by this instant are covered")
    last_position: int = Field(description="The log position of the last event covered")
    count: int
    data: list[EventPublic]
    proofs: None = Field(default=None, description="Cryptographic proofs: not yet available")


def as_of_instant(history: TicketHistory, instant: datetime | None) -> datetime:
    return instant if instant is not None else history.records[-1].recorded_at


def json_file(history: TicketHistory, instant: datetime | None) -> Response:
    at = as_of_instant(history, instant)
    events = covered(history, at)
    export = HistoryExport(
        ticket_id=str(history.ticket_id),
        as_of=at,
        last_position=events[-1].position,
        count=len(events),
        data=events,
    )
    body = export.model_dump_json(indent=2) + "\n"
    return Response(body.encode(), media_type="application/json", headers=file_headers(history, "json"))


def html_document(
    request: Request, runtime: Runtime, viewer: Viewer, history: TicketHistory, instant: datetime | None
) -> Response:
    at = as_of_instant(history, instant)
    state, history = state_as_of(runtime, history, at)
    times = Times(viewer.language, viewer.zone)
    events = covered(history, at)
    records = [r for r in history.records if r.recorded_at <= at]
    context = {
        "history": history,
        "state": state,
        "rows": rows(records, events, viewer.language, times),
        "last_position": events[-1].position,
        "times": times,
        "style": style(),
        "iso": instant_param,
    }
    response = render(request, "history_export.html", context)
    response.headers["Content-Security-Policy"] = content_policy()
    response.headers.update(file_headers(history, "html", "inline"))
    return response


def file_headers(history: TicketHistory, extension: str, disposition: str = "attachment") -> dict[str, str]:
    name = f"ticket-{history.ticket_id}-history.{extension}"
    return {"Content-Disposition": f'{disposition}; filename="{name}"', "Cache-Control": "no-store"}


@cache
def style() -> str:
    return (STATIC / STYLE).read_text(encoding="utf-8")


@cache
def content_policy() -> str:
    """Nothing may load; only the document's own style block applies."""
    digest = base64.b64encode(hashlib.sha256(style().encode()).digest()).decode()
    return f"default-src 'none'; style-src 'sha256-{digest}'; frame-ancestors 'none'; form-action 'none'"

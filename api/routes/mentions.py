"""The mention moderation queue, triage, and the marketing report by category, source and day."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from api.auth import HISTORY_READERS, STAFF, Allowed, RuntimeDep
from api.caller import CallerDep
from api.choices import one_of
from api.known_parameters import known_parameters
from api.models import CommandPublic, Instant
from api.public import MentionReportPublic, MentionsPublic
from api.reading import ViewsAt
from domain.mention import Decision
from domain.users import User

router = APIRouter(tags=["mentions"])


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: one_of(Decision)
    category: str | None = Field(default=None, max_length=64)
    tags: list[str] = Field(default_factory=list, max_length=20)


class AnsweredIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=2000)


@router.get("/mentions", response_model=MentionsPublic)
def list_mentions(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(HISTORY_READERS, "read mentions"))],
    status: one_of(("new",), Decision) | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    min_position: Annotated[int, Depends(ViewsAt("ingest"))] = 0,
) -> dict[str, Any]:
    """The moderation queue (`status=new`), oldest first."""
    rows, count = runtime.ingest.store.mentions(status, limit, offset) if runtime.ingest else ([], 0)
    return {"data": rows, "count": count, "position": runtime.runner.position(("ingest",))}


@router.post("/mentions/{mention_id}/triage")
def triage(mention_id: UUID, body: TriageIn, caller: CallerDep) -> CommandPublic:
    """reply → a ticket on the channel for its owner; marketing (category, tags); or ignore."""
    ctx = caller.context(None, STAFF, "triage mentions")
    return caller.done(
        caller.helpdesk.triage_mention(mention_id, body.decision, body.category, body.tags, ctx)
    )


@router.post("/mentions/{mention_id}/answered")
def answered(mention_id: UUID, caller: CallerDep, body: AnsweredIn | None = None) -> CommandPublic:
    """Mark a mention as answered on the third-party site it was posted on."""
    note = body.note if body else None
    ctx = caller.context(None, STAFF, "mark mentions")
    return caller.done(caller.helpdesk.answer_on_site(mention_id, note, ctx))


@router.get("/reports/mentions", response_model=MentionReportPublic, dependencies=[Depends(known_parameters)])
def mention_report(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(HISTORY_READERS, "read reports"))],
    start: Annotated[Instant | None, Query(alias="from")] = None,
    end: Annotated[Instant | None, Query(alias="to")] = None,
    min_position: Annotated[int, Depends(ViewsAt("ingest"))] = 0,
) -> dict[str, Any]:
    """Marketing mentions counted by category, source and day (never in support metrics)."""
    rows = runtime.ingest.store.mention_report(start, end) if runtime.ingest else []
    return {"data": rows, "count": len(rows), "total": sum(r["count"] for r in rows)}

"""Archive search: every message, reply and (for staff) internal note, by word form, ranked."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from api.auth import READERS, Allowed, RuntimeDep
from api.choices import one_of
from api.models import FilterValue, Instant, filter_values
from api.public import SearchPublic
from api.reading import ViewsAt
from domain.text_forms import identifier
from domain.users import User
from domain.values import Status
from projections.search_queries import SearchQuery, search
from projections.search_store import KIND_CODES

router = APIRouter(tags=["search"])
StatusChoice = one_of(Status)
KindChoice = one_of(KIND_CODES)


@router.get("/search", response_model=SearchPublic)
def search_archive(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(READERS, "search the archive"))],
    q: Annotated[str, Query(max_length=500, description="Words in any form: карты finds карта")] = "",
    customer: UUID | None = None,
    tag: Annotated[list[FilterValue], filter_values()] = [],  # noqa: B006 - FastAPI copies defaults
    channel: Annotated[list[FilterValue], filter_values()] = [],  # noqa: B006
    status: Annotated[list[StatusChoice], filter_values()] = [],  # noqa: B006
    kind: Annotated[list[KindChoice], filter_values()] = [],  # noqa: B006
    from_: Annotated[Instant | None, Query(alias="from")] = None,
    to: Instant | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    min_position: Annotated[int, Depends(ViewsAt("search"))] = 0,
) -> dict[str, Any]:
    """Search messages, replies, internal notes and customer names; filters AND together."""
    query = SearchQuery(
        text=q,
        customer_id=str(customer) if customer else None,
        tags=[identifier(t) for t in tag],
        channels=channel,
        statuses=status,
        kinds=kind,
        since=from_,
        until=to,
        include_notes=True,
        limit=limit,
        offset=offset,
    )
    found = search(runtime.search, query)
    # `count` is exact up to RANK_WINDOW (5,000) matches; beyond that it is that bound and
    # `count_exact` is false (show "5,000+").
    return {
        "data": found.hits,
        "count": found.count,
        "count_exact": found.count_exact,
        "position": runtime.runner.position(("search",)),
    }

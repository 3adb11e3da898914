"""How each metric of one ticket came out: `GET /api/v1/tickets/{id}/explain`."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from api.auth import HISTORY_READERS, Allowed, RuntimeDep
from api.choices import one_of
from api.explain_models import ExplainPublic, explanation_public
from api.models import Instant
from api.reading import ViewsAt
from api.ticket_explanation import ticket_explanation
from domain.metrics_explain import CLOCKS
from domain.users import User

router = APIRouter(prefix="/tickets", tags=["tickets"])
AS_OF = "Only events and policy versions recorded by then, judged then; default: the reports' as-of"


@router.get("/{ticket_id}/explain", response_model=ExplainPublic)
def explain_ticket(
    ticket_id: UUID,
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(HISTORY_READERS, "read ticket history"))],
    as_of: Annotated[Instant | None, Query(description=AS_OF)] = None,
    clock: one_of(CLOCKS) = "business",
    min_position: Annotated[int, Depends(ViewsAt("analytics"))] = 0,
) -> dict[str, Any]:
    """Per metric: every wait and the resolution, cut into the parts counted and skipped (nights,
    weekends, holidays, pauses), with the log positions of the events bounding each; their sum is
    the report's figure. And the SLA policy version that judged it and why, the target, the
    outcome at `as_of` and the breach instant."""
    return explanation_public(ticket_explanation(runtime, ticket_id, as_of, clock))

"""One ticket's explanation (domain.metrics_explain) as the route and the page read it: the events
from the store as `GET /tickets/{id}/events` reads them, the policy versions from the analytics
view's fact table, as its projection folds them.

By default it is the ticket as the reports see it: the events the analytics view has applied,
judged at the view's as-of instant, so the explanation adds up to the report's figure. With
`as_of`, the events and policy versions recorded by then, judged then (as a report with as_of).
"""

from datetime import datetime
from uuid import UUID

from api.bootstrap import Runtime
from domain.calendar import from_us, to_us
from domain.errors import TicketNotFoundError
from domain.metrics import Fact
from domain.metrics_explain import Explanation, explain
from domain.sla_policy import PolicyVersion
from projections.analytics import fact_of
from projections.analytics_view import head
from projections.records import record_from_event
from projections.sla_policy_queries import versions_recorded


def ticket_explanation(runtime: Runtime, ticket_id: UUID, as_of: datetime | None, clock: str) -> Explanation:
    helpdesk = runtime.helpdesk
    events = helpdesk.history(ticket_id)
    positions = helpdesk.positions(ticket_id)
    facts = [fact_of(record_from_event(positions.get(e.originator_version, 0), e)) for e in events]
    facts, policies, at = as_the_reports_see_it(runtime, facts, as_of)
    found = explain(str(ticket_id), facts, policies, at, clock)
    if found is None:
        raise TicketNotFoundError(f"Ticket {ticket_id} had not been opened by {from_us(at).isoformat()}.")
    return found


def as_the_reports_see_it(
    runtime: Runtime, facts: list[Fact], as_of: datetime | None
) -> tuple[list[Fact], list[PolicyVersion], int]:
    """The facts and policies a report at `as_of` (default: the view's own) folds, and that instant."""
    db = runtime.analytics
    if as_of is not None:
        at = to_us(as_of)
        policies = versions_recorded(db, until=at) if db is not None else []
        return [f for f in facts if f.recorded <= at], policies, at
    if db is None:
        return facts, [], max((f.recorded for f in facts), default=0)
    position, recorded = head(db)
    return [f for f in facts if f.position <= position], versions_recorded(db), recorded

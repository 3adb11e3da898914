"""What the /qa page is rendered from: a month's recorded sample as a work list (reviewed / to
do), and the proof that it was not cherry-picked.

The proof is the draw itself, done again: the month's population is folded from the log's events
up to the sample's position (projections/qa_reviews.py, the same fold the analytics view used),
its hash must be the recorded seed, and the seed must choose the recorded tickets. The page shows
the population per operator and says whether both hold; `deskstream qa sample` does the same
from the event store alone.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from api.bootstrap import Runtime
from domain.calendar import from_us
from domain.qa_population import Rederived, rederive, strata
from domain.qa_review import QaReview
from domain.qa_sample import QaSample, month_window
from projections.qa_reviews import population_at


@dataclass(frozen=True, slots=True)
class WorkItem:
    ticket_id: str
    subject: str | None
    channel: str
    operator: str
    """Who the review concerns: the ticket's resolver when the sample was drawn."""
    review: QaReview | None


@dataclass(frozen=True, slots=True)
class Proof:
    start: datetime
    end: datetime
    tz: str
    strata: list[tuple[str, int, int]]
    """(operator, tickets resolved in the month, tickets sampled) per operator."""
    rederived: Rederived | None
    """None while the analytics view has not yet reached the sample's log position."""
    holds: bool


def work_list(runtime: Runtime, sample: QaSample) -> list[WorkItem]:
    helpdesk = runtime.helpdesk
    items = []
    for ticket_id in sample.ticket_ids:
        ticket = helpdesk.ticket(UUID(ticket_id))
        review = helpdesk.qa_review(sample.month, ticket.id)
        operator = review.operator if review else helpdesk.qa_operator(ticket.id, sample.position)
        items.append(WorkItem(ticket_id, ticket.subject, ticket.channel, operator, review))
    return items


def proof(runtime: Runtime, sample: QaSample, tz: str) -> Proof:
    start, end = month_window(sample.month, tz)
    window = (from_us(start), from_us(end), tz)
    if runtime.analytics is None or runtime.runner.position(("analytics",)) < sample.position:
        return Proof(*window, [], None, False)
    found = population_at(runtime.analytics, start, end, sample.position)
    again = rederive(sample.month, sample.size, found)
    return Proof(*window, strata(found, sample.ticket_ids), again, again.equals(sample))


def progress(items: list[WorkItem]) -> dict[str, Any]:
    done = [item for item in items if item.review is not None]
    return {
        "done": len(done),
        "total": len(items),
        "failed": sum(not item.review.passed for item in done if item.review is not None),
        "next": next((item for item in items if item.review is None), None),
    }

"""The ticket page's QA block (templates/ticket_qa.html): the ticket's reviews, shown to the
operator each concerns and to those who read every review; nobody else sees a colleague's."""

from typing import Any

from api.auth import QA_READERS
from api.bootstrap import Runtime
from api.web.viewer import Viewer
from domain.event_types import EventType
from domain.qa_review import QaReview
from domain.ticket import Ticket


def reviews_shown(runtime: Runtime, viewer: Viewer, ticket: Ticket, events: list[Any]) -> list[QaReview]:
    resolved = [e.occurred_at for e in events if type(e).__name__ == EventType.RESOLVED]
    if not resolved:
        return []
    found = runtime.helpdesk.reviews_of_ticket(ticket.id, resolved)
    return [review for review in found if viewer.may(QA_READERS) or review.operator == viewer.name]

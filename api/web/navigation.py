"""The workspace's main navigation: which pages a role sees in the top bar.

A link is shown only to the roles its page lets in (the same tuples as the routes), so nobody
is offered a page that would answer 403.
"""

from dataclasses import dataclass

from api.auth import HISTORY_READERS, QA_READERS, READERS, REPORT_READERS
from domain.values import Role


@dataclass(frozen=True)
class NavLink:
    path: str
    label: str
    """Catalogue key under `nav.`."""
    roles: tuple[Role, ...]


NAV = (
    NavLink("/inbox", "inbox", READERS),
    NavLink("/mentions", "mentions", HISTORY_READERS),
    NavLink("/search", "search", READERS),
    NavLink("/staffing", "staffing", REPORT_READERS),
    NavLink("/qa", "qa", QA_READERS),
)


def links_for(role: Role) -> tuple[NavLink, ...]:
    return tuple(link for link in NAV if role in link.roles)


def home_of(role: Role) -> str:
    """Where a signed-in user lands: the first page of their top bar (a QA reviewer has no inbox)."""
    links = links_for(role)
    return links[0].path if links else "/me"

"""The workspace's main navigation: which pages a role sees in the top bar.

A link is shown only to the roles its page lets in (the same tuples as the routes), so nobody
is offered a page that would answer 403.
"""

from dataclasses import dataclass

from api.auth import HISTORY_READERS, READERS, REPORT_READERS
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
)


def links_for(role: Role) -> tuple[NavLink, ...]:
    return tuple(link for link in NAV if role in link.roles)

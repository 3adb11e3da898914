"""Where the dashboard's figures and buttons lead, each with the page's filters carried on.

A figure leads to its drill-down, `/dashboard/tickets?figure=…`, with the period as the instants
the dashboard resolved it to: the list is the very set the card or bar counted, even if the page
was opened just before midnight. The other report pages (and the export) get the same query.
"""

from urllib.parse import quote, urlencode

from api.web.report_filters import ReportFilter


def drill(f: ReportFilter, figure: str, **changes: str) -> str:
    """The tickets behind `figure` (with `operator=` for one operator's figure)."""
    return f"/dashboard/tickets?figure={quote(figure, safe=':-')}&{f.api_query(**changes)}"


def dashboard(f: ReportFilter, **changes: str) -> str:
    return f"/dashboard?{f.page_query(**changes)}"


def export(f: ReportFilter) -> str:
    return f"/dashboard/export.xlsx?{f.api_query()}"


def staffing(f: ReportFilter) -> str:
    return f"/staffing?{f.api_query()}"


def policy(f: ReportFilter) -> str:
    return f"/dashboard/policy?{f.api_query()}"


def api(f: ReportFilter, report: str) -> str:
    """The report API's answer for the same filters (for a reader with a token)."""
    return f"/api/v1/reports/{report}?{f.api_query()}"


def now_strip(f: ReportFilter) -> str:
    return f"/dashboard/now?{f.api_query()}"


def inbox(f: ReportFilter) -> str:
    """The open tickets of the live strip in the inbox, narrowed the same way where it can."""
    pairs = [("channel", f.channel), ("assignee", f.operator), ("tag", f.tag), ("type", f.type)]
    query = urlencode([(k, v) for k, v in pairs if v])
    return f"/inbox?{query}" if query else "/inbox"


def paged(url: str, page: int) -> str:
    return url if page == 1 else f"{url}&page={page}"

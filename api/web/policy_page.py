"""Policy then versus policy now, `/dashboard/policy?<filters>&policy=&version=`: the SLA figures
of a period under the versions that governed each ticket, beside the same tickets re-judged
under a version the supervisor picks (by default each ticket's policy as it stands now).

The figures are `GET /api/v1/reports/sla-compare`'s (projections.policy_compare.compare, on the
same view). Links to the dashboard's lists carry the window shown as explicit instants with the
other filters, so the list is the tickets behind the figure whatever its own default period.
"""

from typing import Annotated, Any
from urllib.parse import quote

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.auth import REPORT_READERS, get_runtime, require
from api.bootstrap import Runtime
from api.web.catalogue import translate
from api.web.charts.sla_compare_chart import sla_compare_chart
from api.web.policy_filters import PRESETS, PageFilters, page_filters
from api.web.templating import render
from api.web.viewer import PageViewer, Viewer
from domain.calendar import from_us, zone
from domain.sla_compare import VersionWithoutPolicyError
from domain.sla_policy import PolicyNotFoundError, PolicyVersion
from projections import policy_compare
from projections.analytics import AnalyticsDb
from projections.analytics_view import head, open_view
from projections.sla_policy_queries import versions_recorded

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Text = Annotated[str, Query(max_length=64)]
PATH = "/dashboard/policy"
CARRIED = ("operator", "channel", "type", "tag", "clock", "tz")


@router.get(PATH)
async def policy_page(
    request: Request, runtime: RuntimeDep, viewer: PageViewer, policy: Text = "", version: Text = ""
) -> Response:
    """The filters as the dashboard takes them; `policy` and `version` pick the re-judging version."""
    require(viewer.user, REPORT_READERS, "read reports")
    params = dict(request.query_params)
    context = await to_thread.run_sync(compare_context, runtime, viewer, params, policy, version)
    return render(request, "policy.html", context)


def compare_context(
    runtime: Runtime, viewer: Viewer, params: dict[str, str], policy: str, version: str
) -> dict[str, Any]:
    db = runtime.analytics
    assert db is not None
    filters = page_filters(params, viewer.zone, head(db)[1])
    problems = dict(filters.problems)
    chosen = choice(policy, version, problems)
    q = filters.query
    with open_view(db, q.start, q.end, None) as view:
        try:
            report = policy_compare.compare(db, *chosen, view, q)
        except (PolicyNotFoundError, VersionWithoutPolicyError):
            problems["version"], chosen = "policy.unknown_version", (None, None)
            report = policy_compare.compare(db, None, None, view, q)
        stamp = {"as_of": from_us(view.as_of), "position": view.position}
    carried = carried_filters(filters)
    language = viewer.language

    def t(key: str, **params: object) -> str:
        return translate(language, key, **params)

    def drill(metric: str, outcome: str) -> str:
        return f"/dashboard/tickets?{carried}&figure=sla:{metric}:{outcome}"

    return {
        "report": report,
        "stamp": stamp,
        "chart": sla_compare_chart(report, t, drill),
        "filters": filters,
        "fields": form_fields(filters),
        "problems": problems,
        "options": version_options(db, filters, chosen),
        "chosen": chosen,
        "presets": [(name, filters_link(filters, preset=name, chosen=chosen)) for name in PRESETS],
        "dashboard": f"/dashboard?{carried}",
        "drill": drill,
        "metrics": policy_compare.METRICS,
        "outcomes": ("achieved", "breached", "pending"),
    }


def choice(policy: str, version: str, problems: dict[str, str]) -> tuple[str | None, int | None]:
    name = policy.strip() or None
    if not version.strip():
        return name, None
    if not version.strip().isdigit():
        problems["version"] = "policy.bad_version"
        return name, None
    return name, int(version)


def carried_filters(filters: PageFilters) -> str:
    """The window shown, as instants, and the other filters: a query string for other pages."""
    q = filters.query
    pairs = {"from": from_us(q.start).isoformat(), "to": from_us(q.end).isoformat()}
    pairs |= {k: filters.given[k] for k in CARRIED if k in filters.given}
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in pairs.items())


def filters_link(filters: PageFilters, preset: str, chosen: tuple[str | None, int | None]) -> str:
    """This page for another preset period, keeping the other filters and the version chosen."""
    kept = {k: v for k, v in filters.given.items() if k not in ("from", "to", "preset")}
    kept |= version_params(chosen)
    return PageFilters(filters.query, kept, {}).link(PATH, preset=preset)


def version_params(chosen: tuple[str | None, int | None]) -> dict[str, str]:
    name, number = chosen
    found = {"policy": name} if name else {}
    return found | ({"version": str(number)} if number is not None else {})


def version_options(
    db: AnalyticsDb, filters: PageFilters, chosen: tuple[str | None, int | None]
) -> list[dict[str, Any]]:
    """Each policy's current version for its own tickets (the default), then every version."""
    versions: list[PolicyVersion] = sorted(versions_recorded(db), key=lambda v: (v.name, v.version))
    options: list[dict[str, Any]] = [
        {"version": None, "href": filters.link(PATH), "selected": chosen == (None, None)}
    ]
    for v in versions:
        options.append(
            {
                "version": v,
                "effective_from": from_us(v.effective_from),
                "href": filters.link(PATH, policy=v.name, version=str(v.version)),
                "selected": chosen == (v.name, v.version),
            }
        )
    return options


def form_fields(filters: PageFilters) -> dict[str, str]:
    """The form's values: the window as local dates (`to` inclusive), the rest as given."""
    q = filters.query
    local = zone(q.tz)
    return {
        **filters.given,
        "from": from_us(q.start).astimezone(local).date().isoformat(),
        "to": from_us(q.end - 1).astimezone(local).date().isoformat(),
        "tz": q.tz,
        "clock": q.clock,
    }

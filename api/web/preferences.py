"""The signed-in user's own page (/me): the language pages speak and the time zone they show.

Both are recorded on the user (User.PreferencesChosen), so they follow the user from browser to
browser. Left empty, the language is the browser's (Accept-Language) and the zone the team's
(DESKSTREAM_TIME_ZONE). Every role that signs in may choose its own: it changes no ticket.
"""

from functools import cache
from typing import Annotated
from zoneinfo import available_timezones

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import SIGNED_IN, get_runtime, require
from api.bootstrap import Runtime
from api.web.templating import render
from api.web.viewer import FormViewer, PageViewer, Viewer
from domain.users import LANGUAGES, InvalidTimeZoneError, UnknownLanguageError

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
ACTION = "choose their own language and time zone"


@cache
def zones() -> tuple[str, ...]:
    """The names offered as one types: regions' cities, not the legacy aliases (any IANA name
    is still accepted)."""
    legacy = ("Etc/", "SystemV/", "US/", "posix/", "right/")
    cities = (z for z in available_timezones() if "/" in z and not z.startswith(legacy))
    return ("UTC", *sorted(cities))


@router.get("/me")
async def preferences_page(request: Request, viewer: PageViewer, saved: bool = False) -> Response:
    require(viewer.user, SIGNED_IN, ACTION)
    chosen = {"language": viewer.user.language or "", "time_zone": viewer.user.time_zone or ""}
    return page(request, viewer, chosen, {}, saved)


@router.post("/me")
async def choose(request: Request, runtime: RuntimeDep, posted: FormViewer) -> Response:
    viewer, form = posted
    require(viewer.user, SIGNED_IN, ACTION)
    chosen = {key: next(iter(form.get(key, [])), "").strip() for key in ("language", "time_zone")}
    try:
        await to_thread.run_sync(
            runtime.helpdesk.choose_preferences,
            viewer.name,
            chosen["language"] or None,
            chosen["time_zone"] or None,
        )
    except UnknownLanguageError:
        return page(request, viewer, chosen, {"language": "preferences.bad_language"}, status=422)
    except InvalidTimeZoneError:
        return page(request, viewer, chosen, {"time_zone": "preferences.bad_zone"}, status=422)
    assert runtime.sessions is not None
    runtime.sessions.changed(viewer.session)
    return RedirectResponse("/me?saved=true", status_code=303)


def page(
    request: Request,
    viewer: Viewer,
    chosen: dict[str, str],
    errors: dict[str, str],
    saved: bool = False,
    status: int = 200,
) -> Response:
    context = {
        "chosen": chosen,
        "errors": {"language": None, "time_zone": None, **errors},
        "saved": saved,
        "languages": LANGUAGES,
        "zones": zones(),
        "team_zone": request.app.state.runtime.settings.time_zone,
    }
    return render(request, "preferences.html", context, status)

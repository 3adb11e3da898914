"""Drawing a month's QA sample: what `GET /reports/qa-sample` and the /qa page both do.

A draw is recorded for good, so it must see the whole month. It used to read the analytics view
as it stood, even behind the log: a draw seconds after the month's last resolution was saved
empty, and one made mid-month froze a partial population. Now a month that has not ended in the
team's time zone is refused (409 `month_not_ended`), and the draw first waits for the view to
reach the log's head; if it cannot within the read-your-writes timeout, nothing is recorded and
the caller is told to retry (503 `views_behind`).
"""

from anyio import to_thread

from api.bootstrap import Runtime
from api.errors import ApiError
from api.reading import views_at
from application.command import Context
from domain.qa_sample import QaSample, month_window
from projections import reports
from projections.analytics_view import open_view

VIEWS = ("analytics",)


async def drawn(runtime: Runtime, actor: str, month: str, size: int, tz: str) -> QaSample:
    """The recorded sample of (month, size), drawn now if there is none yet."""
    helpdesk = runtime.helpdesk
    month_window(month, tz)  # refuses a malformed month or zone before anything else
    sample = await to_thread.run_sync(helpdesk.qa_sample, month, size)
    if sample is not None:
        return sample
    await to_thread.run_sync(helpdesk.check_qa_month, month, tz)
    head = await at_head(runtime)
    population, position = await to_thread.run_sync(population_now, runtime, month, tz)
    if position < head:
        raise ApiError(
            503,
            "views_behind",
            f"The analytics view has reached log position {position} of {head}: a sample drawn now "
            "would miss tickets and be recorded so for good. Nothing was recorded; retry shortly.",
        )
    args = (month, size, tz, population, position, Context(actor))
    sample = await to_thread.run_sync(helpdesk.draw_qa_sample, *args)
    runtime.runner.wake()
    return sample


async def at_head(runtime: Runtime) -> int:
    """Waits (up to the read-your-writes timeout) for the analytics view to reach the log's last
    event, and returns that event's position."""
    head = await to_thread.run_sync(runtime.helpdesk.recorder.max_notification_id) or 0
    await views_at(runtime, head, VIEWS)
    return int(head)


def population_now(runtime: Runtime, month: str, tz: str) -> tuple[list[tuple[str, str]], int]:
    """The month's (ticket, resolver) population and the log position the view had reached."""
    assert runtime.analytics is not None
    start, end = month_window(month, tz)
    with open_view(runtime.analytics, start, end, None) as view:
        return reports.qa_population(view, start, end), view.position

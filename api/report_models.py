"""What each report route returns, for the OpenAPI document and its clients.

The routes serve pre-rendered JSON (cached per view position, so that the same events give the
same bytes), so these models describe the answer rather than build it. A test validates real
answers against them with `extra="forbid"`: a key a report adds without declaring fails it.
Durations are seconds (floats), shares are percentages; None where nothing was measured.
"""

from pydantic import BaseModel, ConfigDict, Field


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Stamped(Report):
    as_of: str = Field(description="The instant the report judges pending/breached at (ISO 8601)")
    position: int = Field(description="Log position the analytics view had reached")
    from_: str = Field(alias="from", description="Start of the period, inclusive (ISO 8601)")
    to: str = Field(description="End of the period, exclusive (ISO 8601)")


class DurationStats(Report):
    count: int
    avg_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None


class SlaOutcome(Report):
    achieved: int
    breached: int
    pending: int
    achieved_pct: float | None = Field(description="achieved / (achieved + breached) × 100")


class SlaFigures(Report):
    first_response: SlaOutcome
    next_response: SlaOutcome
    resolution: SlaOutcome


class CsiFigures(Report):
    likes: int
    dislikes: int
    csi_pct: float | None = Field(description="likes / (likes + dislikes) × 100")


class Figures(Report):
    tickets_received: int
    tickets_resolved: int
    first_response: DurationStats
    next_response: DurationStats
    resolution: DurationStats
    sla: SlaFigures
    csi: CsiFigures


class SummaryReport(Stamped, Figures):
    pass


class OperatorFigures(Figures):
    operator: str
    tickets_assigned: int


class OperatorsReport(Stamped):
    data: list[OperatorFigures]
    count: int


class Day(Report):
    day: str = Field(description="YYYY-MM-DD in the report's time zone")
    received: int
    resolved: int


class DailyReport(Stamped):
    data: list[Day]
    count: int


class Share(Report):
    key: str | None
    received: int
    resolved: int
    share_pct: float | None


class BreakdownReport(Stamped):
    by: str
    tickets_received: int
    data: list[Share]
    count: int


class HourlyParameters(Report):
    aht_seconds: float
    target_seconds: float
    service_level: float
    tz: str


class Hour(Report):
    weekday: int = Field(description="1 (Monday) to 7 (Sunday)")
    hour: int
    messages: int
    occurrences: int = Field(description="How many times this weekday-hour occurs in the period")
    arrivals_per_hour: float
    agents: int = Field(description="Erlang C agents needed for the target")
    service_level: float


class HourlyReport(Stamped):
    parameters: HourlyParameters
    data: list[Hour]
    count: int


class QaSamplePublic(Report):
    month: str
    size: int
    seed: str
    population: int
    position: int
    drawn_at: str
    tickets: list[str]


def documented(model: type[BaseModel]) -> dict[int | str, dict[str, object]]:
    """`responses=` for a route that returns a Response: its 200 is described by `model`."""
    return {200: {"model": model, "description": "The report"}}

"""What `GET /api/v1/reports/sla-compare` returns (the route serves pre-rendered JSON, as every
report does; a test validates real answers against these models)."""

from pydantic import Field

from api.report_models import Report, SlaFigures, Stamped


class JudgedUnder(Report):
    policy: str
    version: int
    effective_from: str = Field(description="When the version took effect (ignored for re-judging)")
    targets_minutes: dict[str, int | None]


class VersionCount(Report):
    policy: str
    version: int
    tickets: int


class Transitions(Report):
    first_response: dict[str, int] = Field(description='e.g. {"achieved>breached": 3}; "none": no outcome')
    next_response: dict[str, int]
    resolution: dict[str, int]


class Changed(Report):
    ticket_id: str
    metric: str
    then: str
    now: str


class SlaCompareReport(Stamped):
    judged_under: JudgedUnder | None = Field(
        description="The version all were re-judged under; null: each ticket's policy's current version"
    )
    tickets: int = Field(description="Tickets received in the period with the filters")
    then: SlaFigures = Field(description="Under the versions that governed them: the summary's `sla`")
    now: SlaFigures = Field(description="The same tickets re-judged")
    governed_by: list[VersionCount]
    judged_by: list[VersionCount]
    outside_scope: int = Field(description="Tickets the re-judging version's applies_to does not match")
    without_policy: int = Field(description="Tickets no policy governed, so none has a current version")
    transitions: Transitions
    changed: list[Changed] = Field(description="The tickets whose outcome changed (first 200, by id)")
    changed_count: int

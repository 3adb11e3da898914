"""What the dashboard's report routes return: the tickets behind a figure and the FRT distribution.

Like api/report_models.py (whose base classes these share), they describe pre-rendered JSON for
the OpenAPI document, and a test validates real answers against them with `extra="forbid"`.
"""

from pydantic import Field

from api.report_models import Report, Stamped


class ReportTicket(Report):
    ticket: str = Field(description="The ticket's id")
    subject: str | None
    channel: str
    operator: str | None = Field(
        description="Who the row is attributed to, as the figure's per-operator split does it"
    )
    opened_at: str = Field(description="When the ticket was opened (ISO 8601)")
    at: str = Field(description="The instant that puts this row in the period: opening, reply, rating…")
    value: float | None = Field(
        description="The row's value in the figure: seconds on the report's clock for durations "
        "(for SLA rows the business time used), messages for arrivals; null for plain counts"
    )


class ReportTickets(Stamped):
    figure: str
    unit: str | None = Field(description="seconds, messages, or null")
    count: int = Field(description="How many rows are behind the figure: the report's own count")
    limit: int
    offset: int
    data: list[ReportTicket] = Field(description="This page of them, oldest first")


class FrtBucket(Report):
    lo_seconds: int
    hi_seconds: int | None = Field(description="Exclusive; null: no upper bound")
    count: int
    figure: str = Field(description="The drill-down figure of the bucket's tickets")


class DistributionReport(Stamped):
    clock: str
    samples: int = Field(description="First responses in the period: the summary's first_response.count")
    data: list[FrtBucket]
    count: int

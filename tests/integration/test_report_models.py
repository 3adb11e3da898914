"""Every report answers in the shape /openapi.json declares for it: a client generated from the
document reads every field, and a field a report adds without declaring fails here."""

import pytest
from pydantic import BaseModel

from api.report_models import (
    BreakdownReport,
    DailyReport,
    HourlyReport,
    OperatorsReport,
    QaSamplePublic,
    SummaryReport,
)
from tests.integration.test_analytics_scenario import Desk, desk, week  # noqa: F401 - the fixture

REPORTS: list[tuple[str, dict[str, str], type[BaseModel]]] = [
    ("summary", {}, SummaryReport),
    ("summary", {"clock": "calendar", "operator": "anna"}, SummaryReport),
    ("operators", {}, OperatorsReport),
    ("daily", {"tz": "Europe/Moscow"}, DailyReport),
    ("breakdown", {"by": "tag"}, BreakdownReport),
    ("breakdown", {"by": "channel"}, BreakdownReport),
    ("hourly", {"tz": "Europe/Moscow"}, HourlyReport),
]


def test_each_report_of_a_worked_week_matches_its_declared_model(desk: Desk) -> None:  # noqa: F811
    week(desk)
    for name, params, model in REPORTS:
        body, _ = desk.report(name, **params)
        model.model_validate(body)
        with pytest.raises(ValueError, match="surprise"):
            model.model_validate({**body, "surprise": 1})
    desk.at("2026-04-01T00:00")  # a month is drawn once it has ended
    sample = desk.client.get(
        "/api/v1/reports/qa-sample",
        params={"month": "2026-03", "size": "2"},
        headers={"Authorization": "Bearer t-sue"},
    )
    QaSamplePublic.model_validate(sample.json())


def test_the_document_points_each_report_at_its_model(desk: Desk) -> None:  # noqa: F811
    paths = desk.client.get("/openapi.json").json()["paths"]
    for name, _, model in REPORTS:
        schema = paths[f"/api/v1/reports/{name}"]["get"]["responses"]["200"]["content"]["application/json"]
        assert schema["schema"]["$ref"].endswith(f"/{model.__name__}")

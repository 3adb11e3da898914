"""Metric definitions (DESIGN.md "Metrics") as properties over random ticket histories."""

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings

from domain.calendar import to_us
from domain.metrics import Fact, TicketMetrics, ticket_metrics
from domain.sla_policy import PolicySpec, PolicyVersion
from projections.analytics import fact_of
from projections.records import EventRecord
from tests.unit.test_metrics_histories import WORKDAYS, histories, play

OFFICE = PolicyVersion(
    "office",
    1,
    0,
    PolicySpec.build(
        {"first_response": 60, "next_response": 120, "resolution": 600},
        {"tz": "Europe/Moscow", "weekly": {d: [["09:00", "18:00"]] for d in WORKDAYS},
         "holidays": ["2026-03-09"]},
        {},
        1,
    ),
)  # fmt: skip


def per_ticket(records: list[EventRecord]) -> dict[str, list[Fact]]:
    facts: dict[str, list[Fact]] = {}
    for record in records:
        facts.setdefault(record.aggregate_id, []).append(fact_of(record))
    return facts


def all_metrics(records: list[EventRecord], policies: list[PolicyVersion]) -> list[TicketMetrics]:
    found = (ticket_metrics(tid, facts, policies) for tid, facts in per_ticket(records).items())
    return [m for m in found if m is not None]


@settings(max_examples=150, deadline=None)
@given(histories)
def test_durations_respect_their_definitions(plan: list) -> None:
    for m in all_metrics(play(plan), [OFFICE]):
        for wait in m.waits:
            if wait.status == "answered":
                assert wait.end is not None and wait.calendar_us is not None and wait.business_us is not None
                assert wait.calendar_us + (wait.paused_us or 0) == wait.end - wait.start
                assert 0 <= wait.business_us <= wait.calendar_us
        first = m.waits[0]
        if m.status == "resolved":
            assert m.resolution_business_us is not None and m.resolution_calendar_us is not None
            assert m.resolution_business_us <= m.resolution_calendar_us
            if first.status == "answered":
                assert first.calendar_us <= m.resolution_calendar_us  # type: ignore[operator]
                assert first.business_us <= m.resolution_business_us  # type: ignore[operator]
        if m.replies == 0 and m.status == "resolved" and not m.reopens:
            assert all(item.metric != "first_response" for item in m.sla)


@settings(max_examples=150, deadline=None)
@given(histories)
def test_paused_time_is_never_counted(plan: list) -> None:
    """Lengthening every pause by a day changes no duration at all (calendar clock)."""
    records = play(plan)
    stretched: list[EventRecord] = []
    shift: dict[str, timedelta] = {}
    for r in records:
        delay = shift.get(r.aggregate_id, timedelta(0))
        if r.type == "Resumed":
            delay += timedelta(days=1)
            shift[r.aggregate_id] = delay
        stretched.append(replace(r, occurred_at=r.occurred_at + delay, recorded_at=r.recorded_at + delay))
    no_calendar: list[PolicyVersion] = []
    for a, b in zip(all_metrics(records, no_calendar), all_metrics(stretched, no_calendar), strict=True):
        assert [w.calendar_us for w in a.waits] == [w.calendar_us for w in b.waits]
        assert a.resolution_calendar_us == b.resolution_calendar_us


def test_spam_without_reply_has_no_first_response() -> None:
    records = play([(0, "open", None, "bot", 0), (0, "resolve", "spam", "anna", 5)])
    (m,) = all_metrics(records, [OFFICE])
    assert m.waits[0].status == "cancelled"
    assert [item.metric for item in m.sla] == ["resolution"]
    assert m.resolution_calendar_us == 5 * 60_000_000
    assert to_us(records[0].occurred_at) == m.opened

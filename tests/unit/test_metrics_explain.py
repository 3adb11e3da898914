"""Explain (domain.metrics_explain): every stretch's parts tile it and add up, to the microsecond,
to what domain.metrics computes, on either clock; the parts are labelled as a reader expects."""

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import to_us
from domain.metrics import Fact, TicketMetrics, active_us, outcome, ticket_metrics
from domain.metrics_explain import CLOCKS, Explanation, Stretch, explain
from domain.sla_policy import PolicySpec, PolicyVersion
from tests.unit.test_metrics import OFFICE, per_ticket
from tests.unit.test_metrics_histories import histories, play

HOUR = 3_600_000_000
ROUND_THE_CLOCK = PolicyVersion("always", 1, 0, PolicySpec.build({"first_response": 30}, None, {}, 1))
POLICIES = {"office": [OFFICE], "round the clock": [ROUND_THE_CLOCK], "none": []}
STARTERS = {"TicketOpened", "CustomerMessageReceived"}


def at(text: str) -> int:
    return to_us(datetime.fromisoformat(text).replace(tzinfo=UTC))


def fact(position: int, kind: str, when: str, actor: str = "anna", **data: object) -> Fact:
    return Fact(position, position, kind, at(when), at(when), actor, data)


def opened(when: str) -> Fact:
    return fact(1, "TicketOpened", when, "bot", channel="vk", customer_id="c1", subject="Card")


def tiles(stretch: Stretch, as_of: int) -> None:
    """The parts cover the stretch end to end, without gap or overlap, each longer than nothing."""
    end = stretch.end if stretch.end is not None else max(as_of, stretch.start)
    assert stretch.parts[0].start == stretch.start and stretch.parts[-1].end == end
    assert all(p.end > p.start for p in stretch.parts)
    assert all(a.end == b.start for a, b in itertools.pairwise(stretch.parts))
    for p in stretch.parts:
        assert p.kind != "stopped", p  # every gap between open spans is a pause or a resolution
        assert p.counted_us == (p.end - p.start if p.kind == "counted" else 0), p


def totals_are_the_metrics(x: Explanation, m: TicketMetrics, clock: str, as_of: int) -> None:
    business = clock == "business"
    calendar = m.calendar if business else None
    first, following, resolution = x.metrics
    for explained in (first, following):
        for s in explained.stretches:
            wait = m.waits[s.seq or 0]
            counted = sum(p.counted_us for p in s.parts)
            if wait.status == "answered":
                assert s.total_us == counted == (wait.business_us if business else wait.calendar_us)
            elif wait.status == "open":
                assert s.total_us is None
                assert counted == active_us(m.active, wait.start, max(as_of, wait.start), calendar)
    (r,) = resolution.stretches
    if m.status == "resolved":
        expected = m.resolution_business_us if business else m.resolution_calendar_us
        assert r.total_us == sum(p.counted_us for p in r.parts) == expected
    assert first.total_us == first.stretches[0].total_us
    assert [s.seq for s in following.stretches] == list(range(1, len(m.waits)))


def events_bound_their_parts(x: Explanation, facts: list[Fact]) -> None:
    kind = {f.position: f.type for f in facts}
    for explained in x.metrics[:2]:
        for s in explained.stretches:
            assert kind[s.started_by] in STARTERS
            if s.status == "answered":
                assert kind[s.ended_by] == "ReplySent"
    for s in (s for e in x.metrics for s in e.stretches):
        end = s.end if s.end is not None else max(x.as_of, s.start)
        for p in s.parts:
            if p.kind == "paused" and p.start > s.start:
                assert kind[p.after] == "Paused"
            if p.kind == "paused" and p.end < end:
                assert kind[p.before] in ("Resumed", "Resolved", "MergedInto")
            if p.kind == "resolved" and p.start > s.start:
                assert kind[p.after] == "Resolved"
            if p.kind == "resolved" and p.end < end:
                assert kind[p.before] == "Reopened"


@settings(max_examples=200, deadline=None)
@given(histories, st.sampled_from(CLOCKS), st.sampled_from(sorted(POLICIES)), st.integers(0, 48))
def test_the_parts_of_every_stretch_add_up_to_the_metric(
    plan: list, clock: str, policy: str, hours: int
) -> None:
    policies = POLICIES[policy]
    records = play(plan)
    as_of = to_us(records[-1].recorded_at) + hours * HOUR
    for ticket_id, facts in per_ticket(records).items():
        m = ticket_metrics(ticket_id, facts, policies)
        x = explain(ticket_id, facts, policies, as_of, clock)
        assert m is not None and x is not None
        for s in (s for e in x.metrics for s in e.stretches if s.parts):
            tiles(s, as_of)
        totals_are_the_metrics(x, m, clock, as_of)
        events_bound_their_parts(x, facts)
        verdicts = {e.metric: e.verdict for e in x.metrics if e.verdict}
        assert {i.metric: outcome(i, as_of) for i in m.sla} == {k: v.outcome for k, v in verdicts.items()}


def a_weekend_ticket(target_minutes: int = 60) -> tuple[list[Fact], list[PolicyVersion]]:
    """Opened Friday 17:30 Moscow time, answered Tuesday 09:20, Monday 9 March a holiday."""
    facts = [opened("2026-03-06T14:30"), fact(2, "ReplySent", "2026-03-10T06:20")]
    spec = replace(OFFICE.spec, targets={**OFFICE.spec.targets, "first_response": target_minutes})
    return facts, [replace(OFFICE, spec=spec)]


def test_a_first_response_over_a_weekend_counts_friday_evening_and_tuesday_morning() -> None:
    facts, policies = a_weekend_ticket()
    x = explain("t", facts, policies, at("2026-03-10T07:00"), "business")
    assert x is not None
    first = x.metrics[0]
    (s,) = first.stretches
    assert [(p.kind, p.holiday) for p in s.parts] == [
        ("counted", None), ("outside_hours", None), ("weekend", None), ("holiday", "2026-03-09"),
        ("outside_hours", None), ("counted", None),
    ]  # fmt: skip
    assert [p.start for p in s.parts] == [
        at(t) for t in ("2026-03-06T14:30", "2026-03-06T15:00", "2026-03-06T21:00", "2026-03-08T21:00",
                        "2026-03-09T21:00", "2026-03-10T06:00")
    ]  # fmt: skip
    assert [p.counted_us // 60_000_000 for p in s.parts] == [30, 0, 0, 0, 0, 20]
    assert first.total_us == 50 * 60_000_000
    assert (s.started_by, s.ended_by) == (1, 2)
    assert {(p.after, p.before) for p in s.parts} == {(1, 2)}
    assert (
        first.verdict is not None and first.verdict.outcome == "achieved" and first.verdict.breach_at is None
    )


def test_a_late_first_response_says_when_it_went_past_its_target() -> None:
    facts, policies = a_weekend_ticket(target_minutes=40)
    x = explain("t", facts, policies, at("2026-03-10T07:00"), "business")
    assert x is not None and x.metrics[0].verdict is not None
    assert x.metrics[0].verdict.outcome == "breached"
    assert x.metrics[0].verdict.breach_at == at("2026-03-10T06:10")  # 30 min on Friday, 10 on Tuesday


def test_on_the_calendar_clock_the_weekend_counts() -> None:
    facts, policies = a_weekend_ticket()
    x = explain("t", facts, policies, at("2026-03-10T07:00"), "calendar")
    assert x is not None
    (part,) = x.metrics[0].stretches[0].parts
    assert part.kind == "counted" and part.counted_us == at("2026-03-10T06:20") - at("2026-03-06T14:30")


def test_a_pause_is_named_with_its_reason_and_the_events_around_it() -> None:
    facts = [
        opened("2026-03-10T07:00"),
        fact(2, "Paused", "2026-03-10T07:10", reason="waiting_department", department="billing"),
        fact(3, "Resumed", "2026-03-10T08:00", "bot", reason="customer_replied"),
        fact(4, "CustomerMessageReceived", "2026-03-10T08:00", "bot"),
        fact(5, "ReplySent", "2026-03-10T08:30"),
    ]
    x = explain("t", facts, [OFFICE], at("2026-03-10T09:00"), "business")
    assert x is not None
    parts = x.metrics[0].stretches[0].parts
    assert [(p.kind, p.reason, p.department, p.after, p.before) for p in parts] == [
        ("counted", None, None, 1, 2),
        ("paused", "waiting_department", "billing", 2, 3),
        ("counted", None, None, 3, 5),
    ]
    assert x.metrics[0].total_us == 40 * 60_000_000
    assert {e.position for e in x.events} == {1, 2, 3, 5}


def test_time_a_ticket_lay_resolved_before_a_reopen_is_not_resolution_time() -> None:
    facts = [
        opened("2026-03-11T06:00"),
        fact(2, "ReplySent", "2026-03-11T06:30"),
        fact(3, "Resolved", "2026-03-11T07:00", resolution="solved"),
        fact(4, "Reopened", "2026-03-11T09:00", "bot", reason="customer_replied"),
        fact(5, "CustomerMessageReceived", "2026-03-11T09:00", "bot"),
        fact(6, "ReplySent", "2026-03-11T11:00", "boris"),
        fact(7, "Resolved", "2026-03-11T11:30", "boris", resolution="solved"),
    ]
    x = explain("t", facts, [OFFICE], at("2026-03-11T12:00"), "business")
    assert x is not None
    resolution = x.metrics[2]
    assert [(p.kind, p.after, p.before) for p in resolution.stretches[0].parts] == [
        ("counted", 1, 3), ("resolved", 3, 4), ("counted", 4, 7)
    ]  # fmt: skip
    assert resolution.total_us == 210 * 60_000_000
    assert [(s.seq, s.started_by, s.ended_by, s.operator) for s in x.metrics[1].stretches] == [
        (1, 5, 6, "boris")
    ]


def test_an_unanswered_wait_shows_the_time_so_far_and_when_it_will_breach() -> None:
    facts, policies = a_weekend_ticket()
    x = explain("t", facts[:1], policies, at("2026-03-09T00:00"), "business")
    assert x is not None
    first = x.metrics[0]
    (s,) = first.stretches
    assert s.status == "open" and s.total_us is None and s.parts[-1].before is None
    assert sum(p.counted_us for p in s.parts) == 30 * 60_000_000
    assert first.verdict is not None and first.verdict.outcome == "pending"
    assert first.verdict.breach_at == at("2026-03-10T06:30")
    later = explain("t", facts[:1], policies, at("2026-03-10T06:31"), "business")
    assert later is not None and later.metrics[0].verdict is not None
    assert later.metrics[0].verdict.outcome == "breached"


def test_the_policy_chosen_is_explained_against_the_others_and_later_versions() -> None:
    vip = PolicyVersion(
        "vip", 1, 0, PolicySpec.build({"first_response": 10}, None, {"channels": ["telegram"]}, 0)
    )
    strict = replace(OFFICE, version=2, effective_from=at("2026-03-08T00:00"))
    facts, _ = a_weekend_ticket()
    x = explain("t", facts, [OFFICE, strict, vip], at("2026-03-10T07:00"), "business")
    assert x is not None
    choice = x.choice
    assert choice.chosen == OFFICE and choice.reason == "only_match"
    assert [(c.version.name, c.chosen, c.matches) for c in choice.candidates] == [
        ("office", True, True), ("vip", False, False)
    ]  # fmt: skip
    assert [s.matched for s in choice.candidates[1].scope] == [False, True, True]
    assert choice.later == (strict,)
    wider = replace(vip, spec=replace(vip.spec, applies_to={"channels": [], "types": [], "priorities": []}))
    y = explain("t", facts, [OFFICE, wider], at("2026-03-10T07:00"), "business")
    assert y is not None and y.choice.chosen == wider and y.choice.reason == "lowest_rank"


def test_a_spam_ticket_closed_without_reply_has_a_cancelled_wait_and_no_first_response() -> None:
    facts = [opened("2026-03-11T12:00"), fact(2, "Resolved", "2026-03-11T12:05", resolution="spam")]
    x = explain("t", facts, [OFFICE], at("2026-03-11T13:00"), "business")
    assert x is not None
    first = x.metrics[0]
    assert first.verdict is None and first.total_us is None
    assert (first.stretches[0].status, first.stretches[0].parts, first.stretches[0].ended_by) == (
        "cancelled",
        (),
        2,
    )
    assert explain("t", [], [OFFICE], 0, "business") is None
    assert timedelta(microseconds=x.metrics[2].total_us or 0) == timedelta(minutes=5)

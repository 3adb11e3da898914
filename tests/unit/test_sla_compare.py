"""Re-judging (domain.sla_compare): under the version that governed them, tickets come out as they
did; under a stricter one, never better; the facts the comparison skips change no outcome."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import to_us
from domain.errors import InvalidValueError
from domain.metrics import Fact, outcome, ticket_metrics
from domain.sla_compare import Ticket, judged_always, judging_versions, rejudge, transitions
from domain.sla_policy import PolicyNotFoundError, PolicySpec, PolicyVersion
from domain.sla_settled import Settled, judged_settled
from projections.policy_compare import METRIC_EVENTS, WITHOUT_DATA
from tests.unit.test_metrics import OFFICE, per_ticket
from tests.unit.test_metrics_histories import START, histories, play

HOUR = 3_600_000_000
RANK = {"achieved": 0, "pending": 1, "breached": 2}


def stricter(version: PolicyVersion, number: int, minutes: int) -> PolicyVersion:
    targets = {m: minutes for m in version.spec.targets}
    return replace(version, version=number, effective_from=to_us(START) + 1000 * HOUR,
                   spec=replace(version.spec, targets=targets))  # fmt: skip


def tickets_of(plan: list) -> tuple[list[Ticket], dict[str, list[Fact]], int]:
    records = play(plan)
    facts = per_ticket(records)
    tickets = [Ticket(t, OFFICE.name, f) for t, f in facts.items()]
    return tickets, facts, to_us(records[-1].recorded_at) + HOUR


def outcomes_then(facts: dict[str, list[Fact]], as_of: int) -> dict[str, dict[str, str]]:
    found = {}
    for ticket_id, history in facts.items():
        m = ticket_metrics(ticket_id, history, [OFFICE])
        assert m is not None
        found[ticket_id] = {i.metric: outcome(i, as_of) for i in m.sla}
    return found


@settings(max_examples=100, deadline=None)
@given(histories)
def test_judged_again_under_the_version_that_governed_them_nothing_changes(plan: list) -> None:
    tickets, facts, as_of = tickets_of(plan)
    judged = rejudge(tickets, judging_versions([OFFICE], "office", 1, as_of), as_of, None)
    then = outcomes_then(facts, as_of)
    assert judged.outcomes == then
    assert transitions(then, judged.outcomes) == ({m: {} for m in OFFICE.spec.targets}, [])


@settings(max_examples=100, deadline=None)
@given(histories, st.integers(1, 59))
def test_a_stricter_version_never_judges_a_ticket_better(plan: list, minutes: int) -> None:
    """Today's version of the policy (the default) re-judges tickets opened before it took effect."""
    tickets, facts, as_of = tickets_of(plan)
    strict = stricter(OFFICE, 2, minutes)
    judges = judging_versions([OFFICE, strict], None, None, strict.effective_from + 1)
    assert set(judges) == {"office"} and judges["office"].version == 2
    judged = rejudge(tickets, judges, as_of, None)
    then = outcomes_then(facts, as_of)
    for ticket_id, metrics in judged.outcomes.items():
        for metric, now in metrics.items():
            assert RANK[now] >= RANK[then[ticket_id][metric]]
    assert judged.now.versions == {("office", 2): len(tickets)}


@settings(max_examples=100, deadline=None)
@given(histories)
def test_the_events_a_comparison_skips_change_no_outcome(plan: list) -> None:
    """policy_compare reads only METRIC_EVENTS, without the data of WITHOUT_DATA."""
    _, facts, _ = tickets_of(plan)
    for ticket_id, history in facts.items():
        kept = [
            f if f.type not in WITHOUT_DATA else f._replace(data={})
            for f in history
            if f.type in METRIC_EVENTS
        ]
        full, lean = ticket_metrics(ticket_id, history, [OFFICE]), ticket_metrics(ticket_id, kept, [OFFICE])
        assert full is not None and lean is not None
        assert full.sla == lean.sla


def test_a_version_outside_a_tickets_scope_judges_it_not_at_all() -> None:
    telegram = PolicyVersion(
        "tg", 1, 0, PolicySpec.build({"first_response": 5}, None, {"channels": ["telegram"]}, 1)
    )
    tickets, _, as_of = tickets_of([(0, "reply", None, "anna", 30)])
    judged = rejudge(tickets, judging_versions([telegram], "tg", 1, as_of), as_of, None)
    assert (judged.outside_scope, judged.outcomes) == (1, {})
    unpolicied = [Ticket(t.ticket_id, None, t.facts) for t in tickets]
    by_own = rejudge(unpolicied, judging_versions([OFFICE], None, None, as_of), as_of, None)
    assert (by_own.without_policy, by_own.outcomes) == (1, {})


def test_a_version_must_exist_and_belong_to_a_policy() -> None:
    with pytest.raises(PolicyNotFoundError):
        judging_versions([OFFICE], "office", 7, 0)
    with pytest.raises(PolicyNotFoundError):
        judging_versions([OFFICE], "nope", None, 0)
    with pytest.raises(InvalidValueError):
        judging_versions([OFFICE], None, 1, 0)


@settings(max_examples=150, deadline=None)
@given(histories, st.integers(1, 700))
def test_tickets_judged_from_their_settled_figures_come_out_as_if_folded_again(
    plan: list, minutes: int
) -> None:
    tickets, _, as_of = tickets_of(plan)
    judge = judged_always(stricter(OFFICE, 2, minutes))
    other_hours = replace(judge, spec=replace(judge.spec, calendar=None))
    for t in tickets:
        m = ticket_metrics(t.ticket_id, t.facts, [OFFICE])
        assert m is not None
        items = tuple((i.metric, i.done, i.elapsed_us) for i in m.sla)
        settled = Settled(t.ticket_id, "office", 1, m.channel, m.type, m.priority, items)
        found = judged_settled(settled, judge, OFFICE)
        assert (found is None) == (not all(i.done for i in m.sla))
        if found is not None:
            assert found == rejudge([t], {None: judge}, as_of, None).outcomes[t.ticket_id]
        assert judged_settled(settled, other_hours, OFFICE) is None  # other hours: other elapsed times

"""Erlang C against textbook figures."""

import pytest

from projections.erlang import agents_needed, erlang_c, service_level


def test_erlang_c_matches_the_textbook_example() -> None:
    # 10 Erlangs offered to 12 agents: P(wait) = 0.4494 (standard Erlang C tables)
    assert erlang_c(12, 10.0) == pytest.approx(0.4494, abs=1e-4)


def test_staffing_for_a_call_centre_hour() -> None:
    # 100 arrivals/h, 180 s handling, 80 % within 20 s: the classic answer is 8 agents
    assert agents_needed(100, 180, 20, 0.8) == 8
    assert service_level(8, 100, 180, 20) >= 0.8 > service_level(7, 100, 180, 20)


def test_no_arrivals_need_nobody() -> None:
    assert agents_needed(0, 300, 60, 0.9) == 0

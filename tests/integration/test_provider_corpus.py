"""Every payload of the provider corpus, delivered twice as providers retry, on SQLite and PostgreSQL:
a customer's message becomes exactly the ticket text its expect file names, once; what carries
nothing for a ticket is answered 200 and kept as one dead letter counting both deliveries; nothing
well-formed is ever refused. The corpus and its expect files: tests/integration/provider_corpus.py."""

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.bootstrap import open_helpdesk
from tests.integration.provider_corpus import CORPUS, DOORS, Case, Delivery, Desk, cases, served
from tests.support import Clock, assert_log_reads_as_the_library, postgres_runtime, sqlite_runtime

CASES = cases()
AT_LEAST = 15
"""Payloads per provider the corpus holds at the least (issue 16)."""


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """One server per store for the whole corpus: each case keeps to a channel of its own."""
    data = tmp_path_factory.mktemp(f"corpus-{request.param}")
    if request.param == "sqlite":
        runtime = sqlite_runtime(data, Clock())
    else:
        runtime = postgres_runtime(request.getfixturevalue("postgres_module_db"), Clock(), data_dir=data)
    try:
        with served(runtime) as opened:
            yield opened
    finally:
        runtime.close()
    helpdesk = open_helpdesk(runtime.settings)
    assert_log_reads_as_the_library(helpdesk)
    helpdesk.close()


def test_every_provider_in_the_corpus_has_a_door_and_enough_payloads() -> None:
    per_kind = Counter(case.kind for case in CASES)
    assert {"telegram", "whatsapp"} <= set(per_kind)
    assert sorted(set(per_kind) - set(DOORS)) == []
    assert {kind: n for kind, n in per_kind.items() if n < AT_LEAST} == {}
    assert sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) == sorted(per_kind)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_provider_payload_delivered_twice_becomes_what_its_expect_file_says(desk: Desk, case: Case) -> None:
    channel = desk.add_channel(case)
    for delivery in (1, 2):
        answer = desk.deliver(case)
        assert answer.status == 200, f"delivery {delivery}: {answer.status} {answer.text}"
        CHECKS[case.expect["outcome"]](desk, channel, case, delivery, answer)


def message(desk: Desk, channel: str, case: Case, delivery: int, answer: Delivery) -> None:
    [ticket] = desk.tickets(channel)
    assert desk.texts(ticket["id"]) == [case.expect["text"]]
    if "attachments" in case.expect:
        assert desk.attachment_kinds(ticket["id"]) == [case.expect["attachments"]]
    assert desk.letters(channel) == []
    if answer.body is not None:
        outcomes = [m["outcome"] for m in answer.body["messages"]]
        assert outcomes == (["opened"] if delivery == 1 else ["duplicate"])


def ignored(desk: Desk, channel: str, case: Case, delivery: int, answer: Delivery) -> None:
    assert desk.tickets(channel) == []
    [letter] = desk.letters(channel)
    assert (letter["reason"], letter["deliveries"]) == (case.expect["dead_letter_reason"], delivery)
    assert letter["status"] == "new"
    if answer.body is not None:
        assert answer.body == {"status": "ignored", "dead_letter": letter["id"]}


def status(desk: Desk, channel: str, case: Case, delivery: int, answer: Delivery) -> None:
    assert desk.tickets(channel) == []
    letters = [(d["reason"], d["deliveries"]) for d in desk.letters(channel)]
    reason = case.expect.get("dead_letter_reason")
    assert letters == ([(reason, delivery)] if reason else [])


def handshake(desk: Desk, channel: str, case: Case, delivery: int, answer: Delivery) -> None:
    assert answer.text == case.expect["answer"]
    assert desk.tickets(channel) == [] and desk.letters(channel) == []


CHECKS = {"message": message, "ignored": ignored, "status": status, "handshake": handshake}


def test_a_corpus_payload_without_its_expect_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "telegram").mkdir()
    (tmp_path / "telegram" / "text.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match=r"text\.expect\.json"):
        cases(tmp_path)

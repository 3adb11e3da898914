"""`deskstream qa sample --month YYYY-MM [--size N] [--tz ZONE]`: draw a recorded QA sample again
from the event store alone, and say whether it is the one recorded.

Nothing here reads a view: the tickets are replayed from the log up to the position the sample
was drawn at, folded with the metrics' own definitions (domain/qa_population.py), and the seed
and the stratified draw are computed again. It reads only, so it works while the server runs.
"""

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from api.bootstrap import open_helpdesk
from api.settings import Settings
from application.helpdesk import Helpdesk
from domain.metrics import Fact
from domain.qa_population import Population, Rederived, candidate, population, rederive
from domain.qa_sample import DEFAULT_SIZE, MAX_SIZE, QaSample, check_month, month_window
from projections.analytics import fact_of
from projections.local_log import LocalLog

BATCH = 5_000
TICKET = "Ticket"


def register(sub: Any) -> None:
    qa = sub.add_parser("qa", help="QA samples and reviews").add_subparsers(required=True, metavar="ACTION")
    sample_p = qa.add_parser("sample", help="re-derive a month's recorded QA sample from the log and compare")
    sample_p.add_argument("--month", required=True, help="YYYY-MM")
    sample_p.add_argument("--size", type=int, default=DEFAULT_SIZE, help=f"which sample (1 to {MAX_SIZE})")
    sample_p.add_argument(
        "--tz", help="the team's time zone the month was drawn in (default DESKSTREAM_TIME_ZONE)"
    )
    sample_p.set_defaults(handler=sample)


def sample(settings: Settings, args: argparse.Namespace) -> int:
    """0 when the re-derived sample equals the recorded one, 1 when it differs or none is recorded."""
    check_month(args.month)
    tz = args.tz or settings.time_zone
    helpdesk = open_helpdesk(settings)
    try:
        recorded = helpdesk.qa_sample(args.month, args.size)
        if recorded is None:
            print(f"no QA sample of {args.month} with {args.size} tickets is recorded", file=sys.stderr)
            return 1
        found = replayed_population(helpdesk, args.month, tz, recorded.position)
        return report(recorded, rederive(args.month, args.size, found), tz)
    finally:
        helpdesk.close()


def replayed_population(helpdesk: Helpdesk, month: str, tz: str, position: int) -> Population:
    """Two passes over the log up to `position`: which tickets were resolved in the month, then
    their whole histories, so only the month's candidates are held in memory."""
    start, end = month_window(month, tz)
    log = LocalLog(helpdesk)
    wanted = {ticket for ticket, fact in ticket_facts(log, position, None) if candidate(fact, start, end)}
    histories: dict[str, list[Fact]] = defaultdict(list)
    for ticket, fact in ticket_facts(log, position, wanted):
        histories[ticket].append(fact)
    return population(histories, start, end)


def ticket_facts(log: LocalLog, position: int, wanted: set[str] | None) -> Iterator[tuple[str, Fact]]:
    """(ticket id, fact) of the tickets' events up to `position` (of `wanted` only, if given),
    in log order."""
    after = 0
    while after < position:
        records = log.read(after, min(BATCH, position - after))
        if not records:
            return
        for record in records:
            if record.position > position:
                return
            if record.aggregate_type == TICKET and (wanted is None or record.aggregate_id in wanted):
                yield record.aggregate_id, fact_of(record)
        after = records[-1].position


def report(recorded: QaSample, again: Rederived, tz: str) -> int:
    drawn = (
        f"drawn {recorded.drawn_at.isoformat()} by {recorded.drawn_by} at log position {recorded.position}"
    )
    print(f"QA sample of {recorded.month} ({tz}), {recorded.size} asked, {drawn}")
    print(f"population: {again.population} resolved tickets re-derived, {recorded.population} recorded")
    print(f"seed:       {again.seed} re-derived")
    print(f"            {recorded.seed} recorded")
    same = [t for t in again.ticket_ids if t in recorded.ticket_ids]
    print(f"tickets:    {len(same)} of {len(recorded.ticket_ids)} recorded tickets re-derived")
    for ticket_id in recorded.ticket_ids:
        print(f"  {'=' if ticket_id in again.ticket_ids else '≠'} {ticket_id}")
    if again.equals(recorded):
        print("the re-derived sample equals the recorded one")
        return 0
    print("the re-derived sample DIFFERS from the recorded one (another --tz?)", file=sys.stderr)
    return 1

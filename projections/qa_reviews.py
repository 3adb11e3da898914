"""QA reviews and the population of a QA sample, read from the analytics fact table.

Every event is a row of `events` (its fields as JSON), reviews included, so the QA report needs
no table of its own and a Kafka-fed view answers it too. The population of a recorded sample is
folded from the ticket rows up to the sample's log position with the same metrics fold the
analytics view used when the sample was drawn (domain/qa_population.py).
"""

import json
from typing import Any

from domain.calendar import from_us
from domain.event_types import EventType
from domain.qa_population import Population, population
from projections.analytics import FACT_COLUMNS, AnalyticsDb, facts_by_ticket

REVIEW_COLUMNS = "aggregate_id, position, epoch_us(occurred_at), data"
MAX_ROWS = 5_000


def reviews(db: AnalyticsDb, month: str | None = None, operator: str | None = None) -> list[dict[str, Any]]:
    """Reviews in log order, of one month and/or one operator."""
    clauses, params = ["type = ?"], [EventType.QA_REVIEW_RECORDED]
    for field, value in (("month", month), ("operator", operator)):
        if value is not None:
            clauses.append(f"json_extract_string(data, '$.{field}') = ?")
            params.append(value)
    rows = db.cursor().execute(
        f"SELECT {REVIEW_COLUMNS} FROM events WHERE {' AND '.join(clauses)} "
        f"ORDER BY position LIMIT {MAX_ROWS}",
        params,
    )
    return [review_row(*row) for row in rows.fetchall()]


def review_row(review_id: str, position: int, occurred: int, data: str) -> dict[str, Any]:
    fields = json.loads(data)
    return {"id": review_id, "position": position, "reviewed_at": from_us(occurred), **fields}


def population_at(db: AnalyticsDb, start: int, end: int, position: int) -> Population:
    """The (ticket, operator) population of [start, end) as the log stood at `position`."""
    con = db.cursor()
    ids = con.execute(
        "SELECT DISTINCT aggregate_id FROM events WHERE type = ? AND position <= ? "
        "AND occurred_at >= make_timestamptz(?::BIGINT) AND occurred_at < make_timestamptz(?::BIGINT)",
        [EventType.RESOLVED, position, start, end],
    ).fetchall()
    wanted = sorted(row[0] for row in ids)
    if not wanted:
        return []
    rows = con.execute(
        f"SELECT {FACT_COLUMNS} FROM events WHERE aggregate_id IN (SELECT unnest(?::VARCHAR[])) "
        "AND position <= ? ORDER BY position",
        [wanted, position],
    ).fetchall()
    histories = facts_by_ticket(rows)
    return population(histories, start, end)

"""What a report's filter fields offer: the operators, channels and tags of the period.

Read regardless of the filters already chosen (the operator field keeps offering the others
once one is picked), from rows whose time columns DuckDB's zone maps narrow to the period.
"""

from dataclasses import dataclass

from projections.analytics_view import View
from projections.report_members import ReportQuery

WINDOW = "{column} >= make_timestamptz(?::BIGINT) AND {column} < make_timestamptz(?::BIGINT)"
OPERATORS = f"""
SELECT DISTINCT name FROM (
    SELECT assignee AS name FROM tickets WHERE {WINDOW.format(column="opened_at")}
    UNION ALL SELECT resolver FROM tickets WHERE {WINDOW.format(column="resolved_at")}
    UNION ALL SELECT operator FROM waits WHERE {WINDOW.format(column="ended_at")}
    UNION ALL SELECT operator FROM ratings WHERE {WINDOW.format(column="rated_at")}
    UNION ALL SELECT assignee FROM assignments WHERE {WINDOW.format(column="started_at")}
) WHERE name IS NOT NULL ORDER BY name
"""
CHANNELS = f"SELECT DISTINCT channel FROM tickets WHERE {WINDOW.format(column='opened_at')} ORDER BY 1"
TAGS = f"""
SELECT DISTINCT tag FROM (SELECT unnest(tags) AS tag FROM tickets WHERE {WINDOW.format(column="opened_at")})
ORDER BY 1
"""


@dataclass(frozen=True, slots=True)
class Choices:
    operators: list[str]
    channels: list[str]
    tags: list[str]


def choices(view: View, q: ReportQuery) -> Choices:
    window = [q.start, q.end]

    def names(statement: str, windows: int) -> list[str]:
        return [row[0] for row in view.con.execute(statement, window * windows).fetchall()]

    return Choices(names(OPERATORS, 5), names(CHANNELS, 1), names(TAGS, 1))

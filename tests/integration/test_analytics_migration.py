"""A DuckDB file written before a column was added gets it, filled, when it is opened again: the
view is dropped and replayed (the runner does it when it sees position zero; here, by hand)."""

from pathlib import Path

from projections.analytics import AnalyticsDb, AnalyticsProjection
from tests.integration.test_analytics_replay import with_policy
from tests.unit.test_metrics_histories import play

PLAN = [(0, "reply", None, "anna", 0), (1, "reply", None, "anna", 30), (0, "reply", None, "anna", 20),
        (0, "resolve", "solved", "anna", 90), (1, "pause_customer", None, "boris", 600)]  # fmt: skip


def test_sla_gains_opened_at_from_the_tickets(tmp_path: Path) -> None:
    db = AnalyticsDb(tmp_path / "a.duckdb")
    AnalyticsProjection(db).apply(with_policy(play(PLAN), 3), "log")
    cur = db.cursor()
    expected = cur.execute("SELECT ticket_id, metric, epoch_us(opened_at) FROM sla ORDER BY ALL").fetchall()
    assert expected and all(row[2] is not None for row in expected)
    cur.execute("ALTER TABLE sla DROP COLUMN opened_at")
    cur.execute("DROP TABLE analytics_schema")  # as a file from before versions were kept
    db.close()
    again = AnalyticsDb(tmp_path / "a.duckdb")
    projection = AnalyticsProjection(again)
    assert projection.position("log") == 0
    projection.apply(with_policy(play(PLAN), 3), "log")
    found = (
        again.cursor()
        .execute("SELECT ticket_id, metric, epoch_us(opened_at) FROM sla ORDER BY ALL")
        .fetchall()
    )
    assert found == expected
    again.close()

"""What the analytics view knows of SLA policies: every version of each, read with plain SQL."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.calendar import from_us
from domain.sla_policy import PolicyVersion, policy_version
from projections.analytics import AnalyticsDb


@dataclass(frozen=True, slots=True)
class PolicyVersionRow:
    name: str
    version: int
    effective_from: datetime
    first_response: int | None
    next_response: int | None
    resolution: int | None
    calendar: Any
    applies_to: Any
    rank: int


def policy_versions(db: AnalyticsDb) -> list[PolicyVersionRow]:
    """Every version of every policy, by name and then oldest first."""
    rows = (
        db.cursor()
        .execute(
            "SELECT name, version, epoch_us(effective_from), "
            "first_response_minutes, next_response_minutes, resolution_minutes, calendar, applies_to, rank "
            "FROM sla_policies ORDER BY name, version"
        )
        .fetchall()
    )
    return [
        PolicyVersionRow(name, version, from_us(at), first, following, resolution,
                         json_or_none(calendar), json_or_none(applies_to), rank)
        for name, version, at, first, following, resolution, calendar, applies_to, rank in rows
    ]  # fmt: skip


def json_or_none(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def versions_recorded(db: AnalyticsDb, until: int | None = None) -> list[PolicyVersion]:
    """Every version as the metrics use it (as the projection folds them, from this small table
    rather than the fact table), optionally only those recorded by `until` (epoch µs)."""
    clause = "" if until is None else "WHERE recorded_at <= make_timestamptz(?::BIGINT) "
    rows = (
        db.cursor()
        .execute(
            "SELECT name, version, epoch_us(effective_from), first_response_minutes, next_response_minutes, "
            f"resolution_minutes, calendar, applies_to, rank FROM sla_policies {clause}ORDER BY position",
            [] if until is None else [until],
        )
        .fetchall()
    )
    return [
        policy_version(name, version, {
            "targets": {"first_response": first, "next_response": following, "resolution": resolution},
            "calendar": json_or_none(calendar), "applies_to": json_or_none(applies_to), "rank": rank,
            "effective_from": from_us(effective),
        })
        for name, version, effective, first, following, resolution, calendar, applies_to, rank in rows
    ]  # fmt: skip

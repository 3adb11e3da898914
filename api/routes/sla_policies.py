"""SLA policies: define or change one (each change a new version), list them with versions."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Allowed, RuntimeDep, require
from api.caller import CallerDep
from api.choices import one_of
from api.models import CommandIn, CommandPublic, Instant
from api.public import SlaPoliciesPublic
from api.reading import ViewsAt
from domain.calendar import WEEKDAYS
from domain.sla_policy import PolicySpec
from domain.users import User
from domain.values import Priority, Role, TicketType
from projections.sla_policy_queries import policy_versions

router = APIRouter(prefix="/sla-policies", tags=["sla-policies"])
POLICY_WRITERS = (Role.SUPERVISOR, Role.ADMIN)
POLICY_READERS = (Role.OPERATOR, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
Minutes = Annotated[int | None, Field(default=None, ge=1, le=366 * 24 * 60)]


class TargetsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    first_response: Minutes = None
    next_response: Minutes = None
    resolution: Minutes = None


class CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tz: str = Field(max_length=64, description="IANA time zone, e.g. Europe/Moscow")
    weekly: dict[one_of(WEEKDAYS), list[list[str]]] = Field(
        description='Working intervals per weekday, e.g. {"mon": [["09:00", "18:00"]]}'
    )
    holidays: list[str] = Field(default_factory=list, max_length=1000, description="Dates like 2026-01-01")


class AppliesToIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channels: list[str] = Field(default_factory=list, max_length=100, description="Empty: every channel")
    types: list[one_of(TicketType)] = Field(default_factory=list)
    priorities: list[one_of(Priority)] = Field(default_factory=list)


class SlaPolicyIn(CommandIn):
    targets_minutes: TargetsIn
    calendar: CalendarIn | None = None
    applies_to: AppliesToIn = Field(default_factory=AppliesToIn)
    rank: int = Field(default=100, ge=0, le=1_000_000, description="Lowest rank wins when several match")
    effective_from: Instant | None = Field(default=None, description="Default: now")


@router.put("/{name}")
def put_policy(name: str, body: SlaPolicyIn, caller: CallerDep) -> CommandPublic:
    """Define the policy, or record a new version of it effective from `effective_from`."""
    require(caller.user, POLICY_WRITERS, "define SLA policies")
    spec = PolicySpec.build(
        body.targets_minutes.model_dump(),
        body.calendar.model_dump() if body.calendar else None,
        body.applies_to.model_dump(),
        body.rank,
    )
    ctx = caller.context(body, POLICY_WRITERS, "define SLA policies")
    return caller.done(caller.helpdesk.define_sla_policy(name, spec, body.effective_from, ctx))


@router.get("", response_model=SlaPoliciesPublic)
def list_policies(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(POLICY_READERS, "read SLA policies"))],
    min_position: Annotated[int, Depends(ViewsAt("analytics"))] = 0,
) -> dict[str, Any]:
    """Every policy with all its versions, oldest first (from the analytics view)."""
    assert runtime.analytics is not None
    policies: dict[str, dict[str, Any]] = {}
    for row in policy_versions(runtime.analytics):
        entry = policies.setdefault(row.name, {"name": row.name, "versions": []})
        entry["versions"].append(
            {
                "version": row.version,
                "effective_from": row.effective_from.isoformat(),
                "targets_minutes": {
                    "first_response": row.first_response,
                    "next_response": row.next_response,
                    "resolution": row.resolution,
                },
                "calendar": row.calendar,
                "applies_to": row.applies_to,
                "rank": row.rank,
            }
        )
    data = list(policies.values())
    return {"data": data, "count": len(data)}

"""Analytics use cases: SLA policies, each change a new version (QA samples: application/qa.py)."""

from datetime import datetime

from application.command import CommandResult, Context
from application.desk import Desk
from application.once import answered_once
from domain.sla_policy import PolicyNotFoundError, PolicySpec, SlaPolicy


@answered_once
def define_sla_policy(
    desk: Desk, name: str, spec: PolicySpec, effective_from: datetime | None, ctx: Context
) -> CommandResult:
    """Defines the policy, or records a new version of it (effective from now by default)."""
    policy_id = SlaPolicy.create_id(name)
    with desk.writing(policy_id):
        stamp = desk.stamp(None, ctx)
        policy = desk.find(policy_id)
        if policy is None:
            policy = SlaPolicy.define(name, spec, effective_from or stamp.occurred_at, stamp)
        else:
            policy.change(spec, effective_from or stamp.occurred_at, stamp)
        return desk.commit(ctx, policy)


def sla_policy(desk: Desk, name: str) -> SlaPolicy:
    found = desk.find(SlaPolicy.create_id(name))
    if not isinstance(found, SlaPolicy):
        raise PolicyNotFoundError(f"There is no SLA policy named {name!r}.")
    return found

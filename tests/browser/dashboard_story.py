"""Last month at the desk, written through the API as an import would (the admin token says who
and when): six tickets for anna and boris under a calendar-time policy of 30 minutes to a first
response and 8 hours to a resolution, so that which targets were met can be told by hand."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from tests.browser.desk import Desk
from tests.browser.ticket_story import ok

POLICY = {"targets_minutes": {"first_response": 30, "next_response": 60, "resolution": 480}}
BREACHED_FIRST_RESPONSE = ("double charge", "card limit", "deposit question")
"""Answered after 2 h and after 3 h 20 min, and never answered: past the 30 minutes."""
SOLVED = {"resolution": "solved"}
Step = tuple[str, float, dict[str, Any]]
PLAN: list[tuple[str, str, int, list[Step]]] = [
    ("card blocked", "anna", 2, [
        ("replies", 10, {"text": "Проверяю"}), ("type", 11, {"type": "problem"}),
        ("resolve", 60, SOLVED), ("rating", 70, {"score": "like"}),
    ]),
    ("double charge", "anna", 3, [
        ("tags", 5, {"add": ["payments"]}), ("replies", 120, {"text": "Вернём"}),
        ("resolve", 180, SOLVED), ("rating", 190, {"score": "dislike"}),
    ]),
    ("no sms", "boris", 3, [
        ("replies", 20, {"text": "Отправили"}), ("resolve", 40, SOLVED), ("rating", 50, {"score": "like"}),
    ]),
    ("card limit", "boris", 5, [
        ("tags", 2, {"add": ["payments"]}), ("replies", 200, {"text": "Подняли"}), ("resolve", 600, SOLVED),
    ]),
    ("deposit question", "anna", 6, []),
    ("spam", "anna", 7, [("resolve", 5, {"resolution": "spam"})]),
]  # fmt: skip
"""(subject, operator, day of the month from 0, then each step: action, minutes after 10:00, body)."""


def last_month(now: datetime) -> tuple[datetime, datetime]:
    """[first day, first day of this month) in UTC, the desk's time zone."""
    this = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (this - timedelta(days=1)).replace(day=1), this


def act(desk: Desk, ticket_id: str, action: str, actor: str, at: datetime, **body: Any) -> int:
    with desk.api() as api:
        answer = api.post(
            f"/tickets/{ticket_id}/{action}", json={**body, "actor": actor, "occurred_at": at.isoformat()}
        )
        return int(ok(answer)["position"])


def opened(desk: Desk, subject: str, channel: str, at: datetime) -> str:
    body = {
        "channel": channel,
        "customer": {"name": "Клиент", "handle": f"id{uuid4().hex[:8]}"},
        "subject": subject,
        "text": subject,
        "occurred_at": at.isoformat(),
    }
    with desk.api() as api:
        return str(ok(api.post("/tickets", json=body), 201)["id"])


def ticket_life(
    desk: Desk, subject: str, who: str, day: datetime, steps: list[tuple[str, float, dict[str, Any]]]
) -> tuple[str, int]:
    """A ticket opened at 10:00 on `day`, assigned to `who`, then each (action, minutes, body); its
    id and the log position of its last event."""
    at = day.replace(hour=10)
    ticket_id = opened(desk, subject, "vk" if who == "anna" else "support-mail", at)
    position = act(desk, ticket_id, "assign", "sofia", at + timedelta(minutes=1), assignee=who)
    for action, minutes, body in steps:
        actor = "root" if action == "rating" else who
        position = act(desk, ticket_id, action, actor, at + timedelta(minutes=minutes), **body)
    return ticket_id, position


def a_month_at_the_desk(desk: Desk) -> dict[str, str]:
    """subject → ticket id; the analytics view has folded them all when this returns."""
    start, _ = last_month(datetime.now(UTC))
    with desk.api() as api:
        policy = {**POLICY, "effective_from": (start - timedelta(days=40)).isoformat()}
        ok(api.put("/sla-policies/std", json=policy))
    made = {
        subject: ticket_life(desk, subject, who, start + timedelta(days=day), steps)
        for subject, who, day, steps in PLAN
    }
    head = max(position for _, position in made.values())
    with desk.api() as api:
        ok(api.get("/reports/summary", params={**window(start), "min_position": head}))
    return {subject: ticket_id for subject, (ticket_id, _) in made.items()}


def window(start: datetime) -> dict[str, str]:
    end = (start + timedelta(days=32)).replace(day=1)
    return {"from": start.isoformat(), "to": end.isoformat()}

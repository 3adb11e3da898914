"""The README walk-through against a real uvicorn process, and a restart that keeps everything."""

from pathlib import Path

import httpx2

from tests.e2e.server import deskstream, served


def client(base: str, token: str) -> httpx2.Client:
    return httpx2.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_the_walk_through_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    tokens = {
        name: deskstream(data, "token", "create", "--name", name, "--role", role).strip()
        for name, role in [("vk-bot", "service"), ("sveta", "supervisor")]
    }
    with served(data) as base:
        # As in the README: users are added while the server runs.
        tokens["anna"] = deskstream(data, "token", "create", "--name", "anna", "--role", "operator").strip()
        assert all(t.startswith("ds_") for t in tokens.values())
        bot, sveta, anna = (client(base, tokens[n]) for n in ("vk-bot", "sveta", "anna"))
        opened = bot.post(
            "/tickets",
            json={"channel": "vk", "customer": {"name": "Ivan", "handle": "id1"}, "text": "Card blocked"},
        )
        assert opened.status_code == 201, opened.text
        ticket = opened.json()["id"]
        steps = [
            (sveta, "assign", {"assignee": "anna", "comment": "VIP"}),
            (anna, "replies", {"text": "Checking"}),
            (anna, "pause", {"reason": "waiting_customer"}),
            (bot, "messages", {"text": "Here is the number"}),
            (anna, "resolve", {"resolution": "solved"}),
            (bot, "rating", {"score": "like"}),
        ]
        for who, command, body in steps:
            response = who.post(f"/tickets/{ticket}/{command}", json=body)
            assert response.status_code == 200, response.text
        position = response.json()["position"]
        before = anna.get(f"/tickets/{ticket}/events").json()
        queue = anna.get("/tickets", params={"status": "resolved", "min_position": position}).json()
        assert [row["id"] for row in queue["data"]] == [ticket]
        assert "Resolved" in deskstream(data, "ticket", "history", ticket)
        docs = httpx2.get(f"{base}/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()

    with served(data) as base:
        anna = client(base, tokens["anna"])
        after = anna.get(f"/tickets/{ticket}/events").json()
        assert after == before
        assert [e["type"] for e in after["data"]] == [
            "TicketOpened",
            "Assigned",
            "ReplySent",
            "Paused",
            "Resumed",
            "CustomerMessageReceived",
            "Resolved",
            "Rated",
        ]
        queue = anna.get("/tickets", params={"status": "resolved"}).json()
        assert [row["id"] for row in queue["data"]] == [ticket]

    history = deskstream(data, "ticket", "history", ticket)
    assert "Assigned" in history and "sveta" in history and "'VIP'" in history
    assert "resolved (solved)" in deskstream(data, "ticket", "show", ticket)

"""An HTTP client per user, so API tests read like the people who use deskstream."""

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from api.auth import hash_token, new_token
from api.bootstrap import Runtime

USERS = {
    "vk-bot": "service",
    "sveta": "supervisor",
    "anna": "operator",
    "oleg": "operator",
    "audrey": "auditor",
    "root": "admin",
    "quinn": "qa",
}


@dataclass
class As:
    """Requests made with one user's bearer token."""

    client: TestClient
    token: str

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def post(self, path: str, json: Any = None, **headers: str) -> Any:
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers(dashed(headers)))

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params=params, headers=self.headers())


def dashed(headers: dict[str, str]) -> dict[str, str]:
    """`if_match=` becomes `If-Match:`, keeping keyword arguments readable."""
    return {"-".join(part.capitalize() for part in k.split("_")): v for k, v in headers.items()}


def sign_up(runtime: Runtime, client: TestClient) -> dict[str, As]:
    users = {}
    for name, role in USERS.items():
        token = new_token()
        runtime.helpdesk.register_user(name, role)
        runtime.helpdesk.issue_token(hash_token(token), name)
        users[name] = As(client, token)
    return users

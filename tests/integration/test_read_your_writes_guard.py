"""A read-your-writes wait is for those who may read the view: a wrong role learns nothing first."""

from typing import Any

import pytest

from tests.integration.api_client import As

READS = [
    ("/tickets", {}),
    ("/customers", {}),
    ("/search", {}),
    ("/kb/articles", {}),
    ("/channels", {}),
    ("/reports/summary", {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}),
]


@pytest.mark.parametrize(("path", "params"), READS)
def test_a_service_token_probing_the_log_head_with_min_position_gets_403_before_any_wait(
    users: dict[str, As], path: str, params: dict[str, Any]
) -> None:
    bot = users["vk-bot"]
    far = bot.get(path, **params, min_position=4611686018427387904)
    near = bot.get(path, **params, min_position=1)
    assert far.status_code == near.status_code == 403
    assert far.json() == near.json()


def test_a_reader_is_told_when_min_position_is_past_the_log(users: dict[str, As]) -> None:
    response = users["anna"].get("/tickets", min_position=4611686018427387904)
    assert response.status_code == 422
    assert response.json()["error"] == "position_ahead_of_log"

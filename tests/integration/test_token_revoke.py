"""`deskstream token revoke`: a leaked token stops working within the token cache's few seconds."""

import time

import pytest

from api.bootstrap import Runtime
from api.cli import main
from api.token_cache import TTL_SECONDS
from tests.integration.api_client import As

SLACK_SECONDS = 1.5


def revoke(runtime: Runtime, token: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """The CLI as an admin runs it beside the server: its own process' view of the same store."""
    if runtime.settings.postgres_url:
        monkeypatch.setenv("DESKSTREAM_POSTGRES_URL", runtime.settings.postgres_url)
    else:
        monkeypatch.delenv("DESKSTREAM_POSTGRES_URL", raising=False)
    return main(["token", "revoke", token, "--data", str(runtime.settings.data_dir)])


def runtime_of(user: As) -> Runtime:
    return user.client.app.state.runtime  # type: ignore[no-any-return]


def test_a_revoked_token_that_was_in_use_is_refused_within_the_cache_ttl(
    users: dict[str, As], monkeypatch: pytest.MonkeyPatch
) -> None:
    anna, oleg = users["anna"], users["oleg"]
    assert anna.get("/tickets").status_code == 200  # the API now remembers anna's token
    assert revoke(runtime_of(anna), anna.token, monkeypatch) == 0
    revoked_at = time.monotonic()
    while (answer := anna.get("/tickets")).status_code == 200:
        assert time.monotonic() - revoked_at < TTL_SECONDS + SLACK_SECONDS, "still accepted after the TTL"
        time.sleep(0.1)
    assert answer.status_code == 401
    assert answer.json() == {"error": "unauthorized", "detail": "The token is unknown or revoked."}
    assert oleg.get("/tickets").status_code == 200


def test_a_revoked_token_the_api_had_not_seen_yet_is_refused_at_once(
    users: dict[str, As], monkeypatch: pytest.MonkeyPatch
) -> None:
    sveta = users["sveta"]
    assert revoke(runtime_of(sveta), sveta.token, monkeypatch) == 0
    assert sveta.get("/tickets").status_code == 401
    assert sveta.post("/tickets", json={}).status_code == 401


def test_revoking_prints_the_user_and_a_hash_prefix_but_never_the_token(
    users: dict[str, As], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    audrey = users["audrey"]
    assert revoke(runtime_of(audrey), audrey.token, monkeypatch) == 0
    assert revoke(runtime_of(audrey), audrey.token, monkeypatch) == 0  # twice is once
    out = capsys.readouterr()
    assert out.out.count("of user audrey") == 2
    assert audrey.token not in out.out + out.err
    assert audrey.get("/tickets").status_code == 401


def test_revoking_a_token_never_issued_says_so_and_fails(
    users: dict[str, As], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    anna = users["anna"]
    assert revoke(runtime_of(anna), "ds_not-a-token-anyone-was-given", monkeypatch) == 1
    assert "no token with hash" in capsys.readouterr().err
    assert anna.get("/tickets").status_code == 200

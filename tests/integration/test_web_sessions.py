"""Sessions in the workspace, as a browser meets them: the cookie, idle expiry, sign-out, CSRF,
sign-in throttling, invites, roles and each user's language and time zone."""

import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx2 import Response

from api.app import create_app
from api.auth import hash_token, new_token
from api.bootstrap import Runtime
from api.cli import main
from api.web.sessions import COOKIE
from api.web.throttle import SignInThrottle
from api.web.workspace import PAGE_MODULES
from domain.users import ServiceSignInError
from tests.support import Clock, sqlite_runtime

PASSWORD = "correct horse battery"
STAFF = {"anna": "operator", "ada": "auditor", "root": "admin"}
IDLE_MINUTES = 480
PRE_SESSION_FORMS = {"/signin", "/invite/{token}"}
"""The only posts made before there is a session: they check the Origin instead of a CSRF token."""


@dataclass
class Web:
    runtime: Runtime
    app: FastAPI
    clock: Clock

    def browser(self, https: bool = False, **headers: str) -> TestClient:
        """A browser of its own (its own cookies), as a second tab shares one by copying them."""
        base = "https://testserver" if https else "http://testserver"
        return TestClient(self.app, base_url=base, follow_redirects=False, headers=headers)

    def signed_in(self, name: str, **headers: str) -> TestClient:
        client = self.browser(**headers)
        assert sign_in(client, name).status_code == 303
        return client


@pytest.fixture
def web(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[Web]:
    runtime = sqlite_runtime(tmp_path_factory.mktemp("web") / "data", clock)
    for name, role in STAFF.items():
        runtime.helpdesk.register_user(name, role)
        runtime.helpdesk.set_password(name, PASSWORD)
    yield Web(runtime, create_app(runtime), clock)
    runtime.close()


def sign_in(
    client: TestClient, name: str, password: str = PASSWORD, back_to: str = "/inbox", **h: str
) -> Response:
    return client.post("/signin", data={"name": name, "password": password, "next": back_to}, headers=h)


def csrf_of(client: TestClient) -> str:
    page = client.get("/me")
    assert page.status_code == 200, page.status_code
    found = re.search(r'<meta name="csrf" content="([^"]+)">', page.text)
    assert found
    return found.group(1)


def error_code(page: Response) -> str | None:
    found = re.search(r'data-code="([a-z_]+)"', page.text)
    return found.group(1) if found else None


def test_the_session_cookie_is_http_only_lax_and_secure_over_https(web: Web) -> None:
    plain = sign_in(web.browser(), "anna").headers["set-cookie"]
    assert "HttpOnly" in plain and "SameSite=lax" in plain and "Secure" not in plain
    assert f"Max-Age={IDLE_MINUTES * 60}" in plain
    secure = sign_in(web.browser(https=True), "anna").headers["set-cookie"]
    assert "HttpOnly" in secure and "SameSite=lax" in secure and "Secure" in secure


def test_an_idle_session_goes_to_sign_in_and_then_back_to_the_page(web: Web) -> None:
    anna = web.signed_in("anna")
    web.clock.advance(minutes=IDLE_MINUTES - 1)
    assert anna.get("/me").status_code == 200  # in use: the cookie is renewed
    web.clock.advance(minutes=IDLE_MINUTES - 1)
    assert anna.get("/me").status_code == 200  # idle time counts from the last page, not the sign-in
    web.clock.advance(minutes=IDLE_MINUTES + 1)
    gone = anna.get("/inbox", params={"status": "open", "channel": "tg"})
    assert gone.status_code == 303
    assert gone.headers["location"] == "/signin?next=/inbox%3Fstatus%3Dopen%26channel%3Dtg"
    form = anna.get(gone.headers["location"])
    assert 'name="next" value="/inbox?status=open&amp;channel=tg"' in form.text
    back = sign_in(anna, "anna", back_to="/inbox?status=open&channel=tg")
    assert back.headers["location"] == "/inbox?status=open&channel=tg"
    assert anna.get(back.headers["location"]).status_code == 200


def test_signing_out_ends_the_session_in_every_tab_and_its_csrf_token_with_it(web: Web) -> None:
    first = web.signed_in("anna")
    second = web.browser()
    second.cookies.set(COOKIE, first.cookies[COOKIE])
    token = csrf_of(first)
    assert second.get("/inbox").status_code == 200
    out = first.post("/signout", data={"csrf": token})
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    assert second.get("/inbox").status_code == 303  # the same cookie opens nothing any more
    late = second.post("/me", data={"csrf": token, "language": "ru"})
    assert late.status_code == 401 and error_code(late) == "signed_out"
    assert web.runtime.helpdesk.user("anna").language is None


def test_a_post_without_this_sessions_csrf_token_is_refused_and_changes_nothing(web: Web) -> None:
    anna = web.signed_in("anna")
    other = csrf_of(web.signed_in("anna"))  # a real token, of another session
    for form in ({"language": "ru"}, {"language": "ru", "csrf": "forged"}, {"language": "ru", "csrf": other}):
        refused = anna.post("/me", data=form)
        assert refused.status_code == 403 and error_code(refused) == "forged_form"
    assert anna.post("/me", data={"language": "ru"}, headers={"X-CSRF-Token": other}).status_code == 403
    assert anna.post("/signout", data={}).status_code == 403
    assert web.runtime.helpdesk.user("anna").language is None
    assert anna.get("/inbox").status_code == 200  # still signed in


def test_every_form_post_of_the_workspace_checks_the_session_and_the_csrf_token(web: Web) -> None:
    """Also the pages added after this test: each must take FormViewer before it reads its form."""
    routes = [r for module in PAGE_MODULES for r in module.router.routes if isinstance(r, APIRoute)]
    posts = [r.path for r in routes if "POST" in r.methods and r.path not in PRE_SESSION_FORMS]
    assert "/signout" in posts and "/me" in posts
    anna, nobody = web.signed_in("anna"), web.browser()
    for path in posts:
        url = re.sub(r"\{[^}]+\}", str(uuid4()), path)
        refused = anna.post(url, data={"text": "hello"})
        assert (refused.status_code, error_code(refused)) == (403, "forged_form"), path
        anonymous = nobody.post(url, data={"text": "hello"})
        assert (anonymous.status_code, error_code(anonymous)) == (401, "signed_out"), path


def test_a_sign_in_posted_from_another_site_is_refused(web: Web) -> None:
    browser = web.browser()
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        refused = sign_in(browser, "anna", **headers)
        assert refused.status_code == 403 and "did not come from the sign-in page" in refused.text
        assert "set-cookie" not in refused.headers
    assert sign_in(browser, "anna", Origin="http://testserver").status_code == 303


def test_five_failed_sign_ins_bring_a_delay_the_page_states_and_a_success_clears_it(web: Web) -> None:
    ticks = [1000.0]
    web.app.state.throttle = SignInThrottle(lambda: ticks[0])
    browser = web.browser()
    for _ in range(5):
        assert sign_in(browser, "anna", "wrong password").status_code == 401
    held = sign_in(browser, "anna")  # even the right password waits
    assert held.status_code == 429 and held.headers["retry-after"] == "30"
    assert "Try again in 30 s." in held.text and "set-cookie" not in held.headers
    ticks[0] += 30
    assert sign_in(browser, "anna").status_code == 303
    for _ in range(5):
        assert sign_in(browser, "anna", "wrong password").status_code == 401  # counted afresh


def test_a_service_token_opens_no_page_even_in_a_validly_signed_cookie(web: Web) -> None:
    token = new_token()
    web.runtime.helpdesk.register_user("bot", "service")
    web.runtime.helpdesk.issue_token(hash_token(token), "bot")
    assert web.runtime.sessions is not None
    browser = web.browser()
    for cookie in (token, web.runtime.sessions.cookie(token, int(web.clock().timestamp()))):
        browser.cookies.set(COOKIE, cookie)
        assert browser.get("/inbox").headers["location"].startswith("/signin")
    with pytest.raises(ServiceSignInError):
        web.runtime.helpdesk.set_password("bot", PASSWORD)
    web.runtime.helpdesk.register_user("anna", "service")  # her password stays recorded, but…
    assert sign_in(browser, "anna").status_code == 401


def test_an_auditor_reads_pages_and_a_session_cookie_never_opens_the_api(web: Web) -> None:
    ada = web.signed_in("ada")
    assert ada.get("/inbox").status_code == 200
    assert 'href="/me"' in ada.get("/inbox").text
    answer = ada.post("/api/v1/tickets", json={})
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"


def test_a_password_changed_through_the_cli_leaves_open_sessions_open_and_says_so(
    web: Web, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    anna = web.signed_in("anna")
    monkeypatch.setattr(sys, "stdin", io.StringIO("a brand new password\n"))
    data = str(web.runtime.settings.data_dir)
    assert main(["user", "password", "anna", "--data", data]) == 0
    assert "sessions already open stay open" in capsys.readouterr().out
    assert anna.get("/inbox").status_code == 200
    assert sign_in(web.browser(), "anna").status_code == 401
    assert sign_in(web.browser(), "anna", "a brand new password").status_code == 303


def test_an_invite_link_sets_a_password_once_and_signs_the_colleague_in(web: Web) -> None:
    token = web.runtime.helpdesk.invite_user("vera", "operator").token
    vera = web.browser()
    form = vera.get(f"/invite/{token}")
    assert form.status_code == 200 and "Welcome, vera." in form.text
    differ = vera.post(f"/invite/{token}", data={"password": "one password", "again": "another one"})
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    short = vera.post(f"/invite/{token}", data={"password": "short", "again": "short"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    done = vera.post(f"/invite/{token}", data={"password": "vera's own pass", "again": "vera's own pass"})
    assert done.status_code == 303 and done.headers["location"] == "/inbox"
    assert ">vera<" in vera.get("/inbox").text
    again = web.browser().post(f"/invite/{token}", data={"password": "taken over!", "again": "taken over!"})
    assert again.status_code == 410 and "already been used" in again.text
    assert web.browser().get(f"/invite/{token}").status_code == 410
    assert sign_in(web.browser(), "vera", "vera's own pass").status_code == 303
    assert sign_in(web.browser(), "vera", "taken over!").status_code == 401


def test_an_expired_replaced_forged_or_cross_site_invite_opens_no_form(web: Web) -> None:
    old = web.runtime.helpdesk.invite_user("ivan", "operator").token
    new = web.runtime.helpdesk.invite_user("ivan", "operator").token
    browser = web.browser()
    assert browser.get(f"/invite/{old}").status_code == 404  # replaced by the newer link
    assert browser.get(f"/invite/{uuid4().hex}.guess").status_code == 404
    assert browser.get("/invite/nonsense").status_code == 404
    form = {"password": "ivan's password", "again": "ivan's password"}
    cross = browser.post(f"/invite/{new}", data=form, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and web.runtime.helpdesk.user("ivan").password_hash is None
    web.clock.advance(days=7)
    expired = browser.post(f"/invite/{new}", data=form)
    assert expired.status_code == 410 and "has expired" in expired.text
    assert web.runtime.helpdesk.user("ivan").password_hash is None


def test_the_invite_cli_prints_a_link_once_and_only_its_hash_is_recorded(
    web: Web, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(web.runtime.settings.data_dir)
    assert main(["user", "invite", "vera", "--role", "supervisor", "--data", data]) == 0
    out = capsys.readouterr().out
    link = re.search(r"http://127\.0\.0\.1:8000/invite/(\S+)", out)
    assert link and "works once" in out and web.runtime.helpdesk.user("vera").role == "supervisor"
    token = link.group(1)
    stored = web.runtime.helpdesk.recorder.select_notifications(start=0, limit=10_000)
    assert not any(token.split(".")[1].encode() in n.state for n in stored)
    assert web.browser().get(f"/invite/{token}").status_code == 200
    with pytest.raises(SystemExit):
        main(["user", "invite", "bot", "--role", "service", "--data", data])
    assert (
        main(
            [
                "user",
                "invite",
                "vera",
                "--role",
                "operator",
                "--base-url",
                "https://desk.example/",
                "--data",
                data,
            ]
        )
        == 0
    )
    assert "\nhttps://desk.example/invite/" in capsys.readouterr().out


def test_each_user_chooses_a_language_and_a_time_zone_else_the_browser_and_the_team_decide(web: Web) -> None:
    anna = web.signed_in("anna", **{"Accept-Language": "ru-RU,ru;q=0.9"})
    assert '<html lang="ru">' in anna.get("/me").text  # the browser's language, until she chooses
    token = csrf_of(anna)
    saved = anna.post("/me", data={"csrf": token, "language": "en", "time_zone": "Asia/Vladivostok"})
    assert saved.status_code == 303 and saved.headers["location"] == "/me?saved=true"
    page = anna.get("/me?saved=true").text
    assert '<html lang="en">' in page and "Saved." in page and "shown in Asia/Vladivostok" in page
    wrong = anna.post("/me", data={"csrf": token, "language": "ru", "time_zone": "Mars/Olympus"})
    assert wrong.status_code == 422 and 'id="zone-error"' in wrong.text
    assert 'value="Mars/Olympus"' in wrong.text  # what she typed stays in the field
    assert web.runtime.helpdesk.user("anna").time_zone == "Asia/Vladivostok"
    anna.post("/me", data={"csrf": token, "language": "", "time_zone": ""})
    assert "shown in UTC" in anna.get("/me", headers={"Accept-Language": "en"}).text  # the team's zone

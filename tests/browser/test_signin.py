"""Stories of signing in to the workspace, in a real browser."""

import time
from pathlib import Path
from typing import Any

from api.token_cache import TTL_SECONDS
from tests.browser.desk import PASSWORD, WIDTHS, Desk, sign_in
from tests.e2e.server import deskstream


def test_an_operator_signs_in_and_lands_on_her_inbox(desk: Desk, screenshots: Path) -> None:
    page = desk.page(None)
    page.goto(f"{desk.base}/inbox")
    assert "/signin" in page.url
    page.screenshot(path=str(screenshots / "signin-desktop.png"))
    page.fill("input[name=name]", "anna")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/inbox")
    assert page.locator("h1").first.inner_text().startswith("Inbox")
    assert page.locator(".whoami").inner_text().startswith("anna")


def test_a_wrong_password_is_refused_and_the_name_stays_typed(desk: Desk) -> None:
    page = desk.page(None)
    page.goto(f"{desk.base}/signin")
    page.fill("input[name=name]", "boris")
    page.fill("input[name=password]", "not his password")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "The name or the password is wrong."
    assert page.input_value("input[name=name]") == "boris"


def test_the_sign_in_page_fits_a_phone(desk: Desk, screenshots: Path) -> None:
    page = desk.page(None, "phone")
    page.goto(f"{desk.base}/signin")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTHS["phone"][0]
    page.screenshot(path=str(screenshots / "signin-phone.png"))


def post_sign_in(page: Any, name: str, password: str) -> int:
    """Fills and sends the sign-in form; the status the server answered with."""
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    with page.expect_response(lambda r: r.request.method == "POST" and "/signin" in r.url) as answer:
        page.click("button[type=submit]")
    page.wait_for_load_state()
    return int(answer.value.status)


def test_sign_in_throttling_and_csrf_refusal(desk: Desk, screenshots: Path) -> None:
    guesser = desk.page(None)
    guesser.context.set_extra_http_headers({"X-Forwarded-For": "203.0.113.9"})  # a client behind the proxy
    guesser.goto(f"{desk.base}/signin")
    for _ in range(5):
        assert post_sign_in(guesser, "boris", "is it this one?") == 401
        assert guesser.locator("[role=alert]").inner_text() == "The name or the password is wrong."
    assert post_sign_in(guesser, "boris", PASSWORD) == 429  # even the right password waits now
    assert guesser.locator("[role=alert]").inner_text() == (
        "Too many failed sign-ins from this address. Try again in 30 s."
    )
    assert guesser.input_value("input[name=name]") == "boris" and "/signin" in guesser.url
    guesser.screenshot(path=str(screenshots / "signin-throttled-desktop.png"))

    boris = desk.page("boris")  # from another address, nothing holds him up
    boris.evaluate("document.querySelector('.whoami input[name=csrf]').value = 'forged'")
    with boris.expect_response(lambda r: r.url.endswith("/signout")) as answer:
        boris.click(".whoami button[type=submit]")
    assert answer.value.status == 403
    assert boris.locator("[role=alert] strong").inner_text().startswith("This form has expired")
    boris.goto(f"{desk.base}/inbox")
    assert boris.locator(".whoami").inner_text().startswith("boris")  # the forged post ended nothing

    evil = EVIL_FORM.format(action=f"{desk.base}/signin", name="boris", password=PASSWORD)
    boris.route("http://evil.example/**", lambda route: route.fulfill(body=evil, content_type="text/html"))
    boris.goto("http://evil.example/")
    with boris.expect_response(lambda r: r.url.endswith("/signin")) as answer:
        boris.click("button")
    assert answer.value.status == 403
    assert "did not come from the sign-in page" in boris.locator("[role=alert]").inner_text()


EVIL_FORM = """<!doctype html><form method="post" action="{action}">
<input name="name" value="{name}"><input name="password" value="{password}">
<button>win a prize</button></form>"""


def test_an_invite_link_lets_a_colleague_choose_a_password_and_signs_her_in(
    desk: Desk, screenshots: Path
) -> None:
    port = desk.base.rsplit(":", 1)[1]
    printed = deskstream(
        desk.data, "user", "invite", "vera", "--role", "operator", env={"DESKSTREAM_PORT": port}
    )
    link = next(line for line in printed.splitlines() if "/invite/" in line)
    assert link.startswith(f"http://127.0.0.1:{port}/invite/")
    phone = desk.page(None, "phone")
    phone.goto(link)
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"][0]
    phone.screenshot(path=str(screenshots / "invite-phone.png"))

    page = desk.page(None)
    page.goto(link)
    assert page.locator("h1").inner_text() == "Choose your password"
    page.screenshot(path=str(screenshots / "invite-desktop.png"))
    page.fill("input[name=password]", "vera's own password")
    page.fill("input[name=again]", "vera's own passw0rd")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "The two passwords differ."
    page.fill("input[name=password]", "vera's own password")
    page.fill("input[name=again]", "vera's own password")
    page.click("button[type=submit]")
    page.wait_for_url("**/inbox")
    assert page.locator(".whoami").inner_text().startswith("vera")

    again = desk.page(None)
    again.goto(link)
    assert again.locator("[role=alert]").inner_text().startswith("This invite link has already been used.")
    again.screenshot(path=str(screenshots / "invite-used-desktop.png"))
    sign_in(again, desk.base, "vera", "vera's own password")
    assert again.locator(".whoami").inner_text().startswith("vera")


def test_switching_to_russian_changes_the_page_texts(desk: Desk, screenshots: Path) -> None:
    phone = desk.page("sofia", "phone")
    phone.goto(f"{desk.base}/me")
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"][0]
    phone.screenshot(path=str(screenshots / "preferences-phone.png"))

    page = desk.page("sofia")
    page.click(".whoami a[href='/me']")
    page.wait_for_url("**/me")
    assert page.locator("h1").inner_text() == "Your preferences"
    page.screenshot(path=str(screenshots / "preferences-desktop.png"))
    page.select_option("select[name=language]", "ru")
    page.fill("input[name=time_zone]", "Moscow")
    page.click("form.preferences button[type=submit]")
    assert page.locator("#zone-error").inner_text().startswith("“Moscow” is not a time zone.")
    assert page.input_value("input[name=time_zone]") == "Moscow"  # what she typed stays
    assert page.locator("select[name=language]").input_value() == "ru"
    page.screenshot(path=str(screenshots / "preferences-error-desktop.png"))
    page.fill("input[name=time_zone]", "Europe/Moscow")
    page.click("form.preferences button[type=submit]")
    page.wait_for_url("**/me?saved=true")
    assert page.locator("h1").inner_text() == "Ваши настройки"
    assert page.locator("[role=status]").inner_text() == "Сохранено."
    assert "Europe/Moscow" in page.locator(".now").inner_text()
    assert page.locator(".mainnav a[href='/inbox']").inner_text() == "Входящие"
    page.screenshot(path=str(screenshots / "preferences-ru-desktop.png"))
    page.goto(f"{desk.base}/inbox")
    assert page.locator("h1").first.inner_text().startswith("Входящие")
    deadline = time.monotonic() + TTL_SECONDS + 2  # her other browser follows within the token cache's TTL
    while phone.locator("h1").inner_text() != "Ваши настройки":
        assert time.monotonic() < deadline, "her other browser still speaks English"
        phone.wait_for_timeout(200)
        phone.reload()

"""Stories of signing in to the workspace, in a real browser."""

from pathlib import Path

from tests.browser.desk import WIDTHS, Desk


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

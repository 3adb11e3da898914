"""A user's invite link works once, for a week, until a newer one replaces it; service users get none."""

from datetime import timedelta

import pytest

from api.web import catalogue
from domain.users import (
    LANGUAGES,
    InvalidTimeZoneError,
    InviteExpiredError,
    InviteSpentError,
    InviteUnknownError,
    ServiceSignInError,
    UnknownLanguageError,
    User,
)
from projections.records import record_from_event
from tests.support import T0

WEEK = timedelta(days=7)


def invited(invite_hash: str = "aa" * 32) -> User:
    user = User.register("vera", "operator", T0)
    user.invite(invite_hash, T0 + WEEK, T0)
    return user


def test_an_invite_sets_the_password_once() -> None:
    user = invited()
    user.accept_invite("aa" * 32, "scrypt$…", T0 + timedelta(hours=1))
    assert user.password_hash == "scrypt$…" and user.invite_hash is None
    with pytest.raises(InviteSpentError, match="already been used"):
        user.accept_invite("aa" * 32, "scrypt$other", T0 + timedelta(hours=2))
    assert user.password_hash == "scrypt$…"


def test_an_invite_expires_after_a_week() -> None:
    user = invited()
    user.check_invite("aa" * 32, T0 + WEEK - timedelta(seconds=1))
    with pytest.raises(InviteExpiredError):
        user.check_invite("aa" * 32, T0 + WEEK)


def test_a_newer_invite_replaces_the_older_and_a_wrong_hash_is_unknown() -> None:
    user = invited()
    user.invite("bb" * 32, T0 + timedelta(days=8), T0 + timedelta(days=1))
    with pytest.raises(InviteUnknownError):
        user.check_invite("aa" * 32, T0 + timedelta(days=1))
    with pytest.raises(InviteUnknownError):
        User.register("ivan", "operator", T0).check_invite("bb" * 32, T0)
    user.check_invite("bb" * 32, T0 + timedelta(days=1))


def test_a_service_user_gets_neither_an_invite_nor_a_password() -> None:
    bot = User.register("bot", "service", T0)
    with pytest.raises(ServiceSignInError):
        bot.invite("aa" * 32, T0 + WEEK, T0)
    with pytest.raises(ServiceSignInError):
        bot.set_password("scrypt$…", T0)
    assert bot.password_hash is None and bot.invite_hash is None


def test_an_invite_hash_is_masked_in_every_record_of_the_log() -> None:
    user = invited("cc" * 32)
    user.accept_invite("cc" * 32, "scrypt$…", T0)
    records = [record_from_event(n, e) for n, e in enumerate(user.collect_events(), 1)]
    secrets = {r.type: r.data for r in records if r.type in ("InviteIssued", "InviteAccepted", "PasswordSet")}
    assert secrets["InviteIssued"]["invite_hash"] == "***"
    assert secrets["InviteAccepted"]["invite_hash"] == "***"
    assert secrets["PasswordSet"]["password_hash"] == "***"
    assert "cc" * 32 not in repr(records)


def test_preferences_are_a_known_language_and_an_iana_zone() -> None:
    assert LANGUAGES == catalogue.LANGUAGES  # a user may choose exactly what the pages speak
    user = User.register("vera", "operator", T0)
    user.choose_preferences("ru", "Europe/Moscow", T0)
    assert (user.language, user.time_zone) == ("ru", "Europe/Moscow")
    with pytest.raises(UnknownLanguageError):
        user.choose_preferences("de", None, T0)
    with pytest.raises(InvalidTimeZoneError):
        user.choose_preferences(None, "Mars/Olympus", T0)
    with pytest.raises(InvalidTimeZoneError):
        user.choose_preferences(None, "../../etc/passwd", T0)
    version = user.version
    user.choose_preferences("ru", "Europe/Moscow", T0)  # the same again records nothing
    user.choose_preferences(None, None, T0)  # back to the browser's and the team's
    assert user.version == version + 1 and (user.language, user.time_zone) == (None, None)

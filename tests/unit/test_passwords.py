"""Staff passwords: stored only as a memory-hard hash, checked in the same time for any name."""

import pytest

from application.passwords import (
    DUMMY,
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordTooLongError,
    PasswordTooShortError,
    hash_password,
    verify_password,
)

SECRET = "correct horse battery"


def test_a_password_verifies_against_its_hash_and_nothing_else_does() -> None:
    stored = hash_password(SECRET)
    assert verify_password(SECRET, stored)
    assert not verify_password(SECRET + " ", stored)
    assert not verify_password("Correct horse battery", stored)


def test_the_hash_is_scrypt_salted_and_holds_no_trace_of_the_password() -> None:
    first, second = hash_password(SECRET), hash_password(SECRET)
    assert first != second  # a fresh salt each time: equal passwords do not show as equal hashes
    assert first.startswith("scrypt$16384$8$1$")
    assert SECRET not in first and "horse" not in first


def test_too_short_and_too_long_passwords_are_refused_before_hashing() -> None:
    with pytest.raises(PasswordTooShortError, match=f"at least {MIN_LENGTH}"):
        hash_password("x" * (MIN_LENGTH - 1))
    with pytest.raises(PasswordTooLongError, match=f"at most {MAX_LENGTH}"):
        hash_password("x" * (MAX_LENGTH + 1))
    assert verify_password("x" * MIN_LENGTH, hash_password("x" * MIN_LENGTH))


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "garbage",
        "bcrypt$12$abc$def$ghi$jkl",
        "scrypt$3$8$1$c2FsdA$ZGlnZXN0",
        "scrypt$16384$8$1$!!$??",
    ],
)
def test_no_stored_hash_or_a_malformed_one_lets_nobody_in(stored: str | None) -> None:
    assert verify_password(SECRET, stored) is False


def test_the_dummy_hash_for_unknown_names_matches_no_password() -> None:
    """An unknown name is checked against DUMMY so that it costs as long as a wrong password."""
    assert verify_password("", None) is False
    assert DUMMY.split("$")[:4] == hash_password(SECRET).split("$")[:4]  # the same cost parameters

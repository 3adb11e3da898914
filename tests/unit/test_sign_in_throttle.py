"""Failed sign-ins from one address: five are free, then a wait that doubles; a success clears it."""

from api.web.throttle import (
    FIRST_WAIT_SECONDS,
    FREE_FAILURES,
    MAX_WAIT_SECONDS,
    WINDOW_SECONDS,
    SignInThrottle,
)


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def failed_times(throttle: SignInThrottle, address: str, count: int) -> None:
    for _ in range(count):
        throttle.failed(address)


def test_five_failures_bring_a_thirty_second_wait_and_others_stay_free() -> None:
    ticks = Ticks()
    throttle = SignInThrottle(ticks)
    failed_times(throttle, "198.51.100.7", FREE_FAILURES - 1)
    assert throttle.wait_for("198.51.100.7") == 0
    throttle.failed("198.51.100.7")
    assert FREE_FAILURES == 5 and throttle.wait_for("198.51.100.7") == FIRST_WAIT_SECONDS == 30
    ticks.now += 12
    assert throttle.wait_for("198.51.100.7") == 18
    assert throttle.wait_for("198.51.100.8") == 0  # another address is not held up


def test_the_wait_ends_and_each_further_failure_doubles_it_up_to_a_cap() -> None:
    ticks = Ticks()
    throttle = SignInThrottle(ticks)
    failed_times(throttle, "a", FREE_FAILURES)
    ticks.now += 30
    assert throttle.wait_for("a") == 0
    throttle.failed("a")
    assert throttle.wait_for("a") == 60
    failed_times(throttle, "a", 20)
    assert throttle.wait_for("a") == MAX_WAIT_SECONDS


def test_a_success_clears_the_address() -> None:
    throttle = SignInThrottle(Ticks())
    failed_times(throttle, "a", FREE_FAILURES)
    throttle.succeeded("a")
    assert throttle.wait_for("a") == 0
    failed_times(throttle, "a", FREE_FAILURES - 1)
    assert throttle.wait_for("a") == 0  # counting starts again from nothing


def test_failures_an_hour_apart_start_the_count_again() -> None:
    ticks = Ticks()
    throttle = SignInThrottle(ticks)
    failed_times(throttle, "a", FREE_FAILURES - 1)
    ticks.now += WINDOW_SECONDS
    throttle.failed("a")
    assert throttle.wait_for("a") == 0

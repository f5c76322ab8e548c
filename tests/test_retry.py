"""Retry waits and the retry loop: Retry-After parsing, backoff and the tenacity builder."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from bridge.errors import (
    AuthError,
    RateLimitedError,
    TransientError,
    UnavailableError,
)
from bridge.retry import RetryPolicy, compute_wait, parse_retry_after, retrying

NOON = datetime(2026, 1, 1, 12, 0, tzinfo=UTC).timestamp()


def _at_noon() -> float:
    return NOON


class FakeClock:
    """A clock that moves only when the loop sleeps or a test says so."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Flaky:
    """Raises the given errors in turn, then answers ``"done"``; counts its calls."""

    def __init__(self, *errors: BaseException, clock: FakeClock | None = None, cost: float = 0):
        self.errors = list(errors)
        self.calls = 0
        self.clock = clock
        self.cost = cost

    def __call__(self) -> str:
        self.calls += 1
        if self.clock is not None:
            self.clock.now += self.cost
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def _run(policy: RetryPolicy, fn: Flaky, clock: FakeClock, **kwargs: object) -> str:
    for attempt in retrying(policy, sleep=clock.sleep, rng=random.Random(0), clock=clock, **kwargs):
        with attempt:
            return fn()
    raise AssertionError("unreachable: the loop reraises")


# ------------------------------------------------------------ parse_retry_after


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("1.5", 1.5),
        ("0", 0.0),
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0.25", 0.25),
        ("Thu, 01 Jan 2026 12:00:07 GMT", 7.0),
        ("Thu, 01 Jan 2026 12:01:30 +0000", 90.0),
        ("Thu, 01 Jan 2026 13:00:00 +0100", 0.0),
        ("Thu, 01 Jan 2026 12:00:10 -0000", 10.0),
        ("Thu, 01 Jan 2026 11:00:00 GMT", 0.0),
        ("Thursday, 01-Jan-26 12:00:05 GMT", 5.0),
    ],
)
def test_parse_retry_after_reads_seconds_and_http_dates(raw: str, seconds: float) -> None:
    """Integer and decimal seconds; dates relative to ``now``, clamped at 0 once passed."""
    assert parse_retry_after(raw, now=_at_noon) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "-3",
        "-0.5",
        "+5",
        "soon",
        "1.5.2",
        ".5",
        "5.",
        "1e3",
        "nan",
        "inf",
        "9" * 400,
        "١٢",
        "Thu, 32 Foo 2026 25:61:00 GMT",
        "Thu, 01 Jan 99999 00:00:00 GMT",
        "\x00",
    ],
)
def test_parse_retry_after_gives_none_for_negative_or_garbage(raw: str | None) -> None:
    """Negative numbers, other number forms and garbage say nothing; nothing raises."""
    assert parse_retry_after(raw, now=_at_noon) is None


def test_parse_retry_after_counts_dates_from_the_wall_clock_by_default() -> None:
    """Without ``now``, a date is counted from ``time.time``: a past one waits 0."""
    assert parse_retry_after("Thu, 01 Jan 2015 00:00:00 GMT") == 0.0
    far = parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT")
    assert far is not None
    assert far > 1e9


# ------------------------------------------------------------ compute_wait

POLICY = RetryPolicy(attempts=5, initial_wait=0.5, max_wait=10, deadline=300, jitter=0.0)


def test_compute_wait_honours_retry_after_capped_at_max_wait() -> None:
    """A rate limit's own wait is used as is, capped at ``max_wait`` and never negative."""
    rng = random.Random(0)
    assert compute_wait(POLICY, 1, RateLimitedError("slow", retry_after=7), rng) == 7
    assert compute_wait(POLICY, 1, RateLimitedError("slow", retry_after=1.5), rng) == 1.5
    assert compute_wait(POLICY, 3, RateLimitedError("slow", retry_after=3600), rng) == 10
    assert compute_wait(POLICY, 1, RateLimitedError("slow", retry_after=-4), rng) == 0
    assert compute_wait(POLICY, 4, RateLimitedError("slow", retry_after=0), rng) == 0


@pytest.mark.parametrize(
    "exc", [None, UnavailableError("down"), RateLimitedError("slow"), ValueError("x")]
)
def test_compute_wait_backs_off_exponentially_otherwise(exc: BaseException | None) -> None:
    """Without a Retry-After: initial_wait, doubled each attempt, capped at max_wait."""
    rng = random.Random(0)
    waits = [compute_wait(POLICY, attempt, exc, rng) for attempt in range(1, 8)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_compute_wait_jitter_stays_within_its_share() -> None:
    """Jitter adds up to ``jitter`` times the base wait, never past ``max_wait``."""
    policy = RetryPolicy(initial_wait=1.0, max_wait=30, jitter=0.5)
    rng = random.Random(7)
    for attempt in range(1, 5):
        base = 2.0 ** (attempt - 1)
        for _ in range(50):
            assert base <= compute_wait(policy, attempt, None, rng) <= base * 1.5
    assert compute_wait(policy, 10, None, rng) == 30


# ------------------------------------------------------------ retrying


def test_retrying_retries_transient_errors_and_never_sleeps_for_real() -> None:
    """Two transient failures, then success: three calls, two injected sleeps by backoff."""
    clock = FakeClock()
    fn = Flaky(UnavailableError("503"), UnavailableError("503"))
    assert _run(POLICY, fn, clock) == "done"
    assert fn.calls == 3
    assert clock.sleeps == [0.5, 1.0]


def test_retrying_waits_what_a_rate_limit_asks() -> None:
    """A RateLimitedError's ``retry_after`` is the wait, capped at ``max_wait``."""
    clock = FakeClock()
    fn = Flaky(RateLimitedError("429", retry_after=1.5), RateLimitedError("429", retry_after=99))
    assert _run(POLICY, fn, clock) == "done"
    assert clock.sleeps == [1.5, 10]


def test_retrying_stops_after_attempts_and_reraises_the_last_error() -> None:
    """The last error itself escapes (no tenacity RetryError), after exactly ``attempts``."""
    clock = FakeClock()
    last = UnavailableError("still down")
    fn = Flaky(UnavailableError("down"), UnavailableError("down"), last)
    with pytest.raises(UnavailableError) as info:
        _run(POLICY.model_copy(update={"attempts": 3}), fn, clock)
    assert info.value is last
    assert fn.calls == 3
    assert len(clock.sleeps) == 2


def test_retrying_raises_other_errors_at_once() -> None:
    """A permanent error is not retried and nothing sleeps."""
    clock = FakeClock()
    fn = Flaky(AuthError("no"), UnavailableError("down"))
    with pytest.raises(AuthError):
        _run(POLICY, fn, clock)
    assert (fn.calls, clock.sleeps) == (1, [])


def test_retrying_stops_before_a_wait_that_would_pass_the_deadline() -> None:
    """Each call costs 2 s on the clock; waits 0.5, 1, 2...: the third wait would end at
    2+0.5+2+1+2+2 = 9.5 > 9, so three calls are made within a 9 s deadline."""
    clock = FakeClock()
    policy = POLICY.model_copy(update={"attempts": 20, "deadline": 9.0})
    fn = Flaky(*[UnavailableError("down")] * 10, clock=clock, cost=2.0)
    start = clock.now
    with pytest.raises(UnavailableError):
        _run(policy, fn, clock)
    assert fn.calls == 3
    assert clock.sleeps == [0.5, 1.0]
    assert clock.now - start <= 9.0


def test_retrying_deadline_restarts_when_the_loop_is_run_again() -> None:
    """The same loop object, run later, counts its deadline from its own first attempt."""
    clock = FakeClock()
    policy = POLICY.model_copy(update={"deadline": 5.0})
    loop = retrying(policy, sleep=clock.sleep, rng=random.Random(0), clock=clock)
    clock.now += 1000
    fn = Flaky(UnavailableError("down"))
    for attempt in loop:
        with attempt:
            fn()
    assert (fn.calls, clock.sleeps) == (2, [0.5])


def test_retrying_takes_its_own_error_types_and_a_before_sleep_hook() -> None:
    """``retry_on`` picks what is retried; ``before_sleep`` sees each failed attempt."""
    clock = FakeClock()
    seen: list[int] = []
    fn = Flaky(ConnectionError("reset"), ConnectionError("reset"))
    result = _run(
        POLICY,
        fn,
        clock,
        retry_on=(ConnectionError,),
        before_sleep=lambda state: seen.append(state.attempt_number),
    )
    assert result == "done"
    assert seen == [1, 2]
    with pytest.raises(UnavailableError):
        _run(POLICY, Flaky(UnavailableError("down")), FakeClock(), retry_on=(ConnectionError,))


def test_retrying_retries_every_transient_kind_by_default() -> None:
    """TransientError and all its subclasses are retried by default."""
    clock = FakeClock()
    fn = Flaky(TransientError("x"), RateLimitedError("y"), UnavailableError("z"))
    assert _run(POLICY, fn, clock) == "done"
    assert fn.calls == 4


def test_retry_policy_forbids_unknown_keys() -> None:
    """``[retry]`` keeps rejecting keys it does not know, and is the one config uses."""
    from pydantic import ValidationError

    from bridge import config

    assert config.RetryPolicy is RetryPolicy
    with pytest.raises(ValidationError):
        RetryPolicy.model_validate({"attempts": 3, "colour": "red"})

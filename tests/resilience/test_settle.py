"""The settle wait: after a request that may have landed, nothing is sent before it has."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonAdapter
from bridge.errors import TrackerTimeoutError, UnavailableError
from bridge.resilience.retrying import RetryingAdapter
from bridge.retry import RetryPolicy

POLICY = RetryPolicy(attempts=3, initial_wait=0.5, max_wait=4, deadline=600, jitter=0, settle=7)


class _Lost:
    """An inner call whose answers are lost (``maybe_applied``) ``times`` times."""

    def __init__(self, times: int, *, maybe_applied: bool = True) -> None:
        self.times, self.maybe_applied, self.calls = times, maybe_applied, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.times:
            if self.maybe_applied:
                raise TrackerTimeoutError("no answer", maybe_applied=True)
            raise UnavailableError("503", maybe_applied=False)
        return "done"


@pytest.fixture
def inner(tmp_path: Path) -> LocalJsonAdapter:
    return LocalJsonAdapter(tmp_path / "store")


def _adapter(
    inner: LocalJsonAdapter, sleeps: list[float], *, resend: bool = True
) -> RetryingAdapter:
    return RetryingAdapter(
        inner, POLICY, sleep=sleeps.append, rng=random.Random(0), resend_ambiguous=resend
    )


def test_each_attempt_after_a_lost_answer_first_waits_the_settle_time(
    inner: LocalJsonAdapter,
) -> None:
    sleeps: list[float] = []
    assert _adapter(inner, sleeps).call(_Lost(2)) == "done"
    assert sleeps == [0.5, 7, 1.0, 7]  # backoff, settle, backoff, settle


def test_a_plain_failure_waits_no_settle_time(inner: LocalJsonAdapter) -> None:
    sleeps: list[float] = []
    assert _adapter(inner, sleeps).call(_Lost(2, maybe_applied=False)) == "done"
    assert sleeps == [0.5, 1.0]


def test_without_a_fallback_the_last_lost_answer_is_waited_out_before_raising(
    inner: LocalJsonAdapter,
) -> None:
    """The caller's next call cannot be overtaken by the write it gave up on."""
    sleeps: list[float] = []
    with pytest.raises(TrackerTimeoutError) as info:
        _adapter(inner, sleeps).call(_Lost(9))
    assert info.value.maybe_applied
    assert sleeps == [0.5, 7, 1.0, 7, 7]


def test_with_a_fallback_the_replay_waits_instead(inner: LocalJsonAdapter) -> None:
    sleeps: list[float] = []
    with pytest.raises(TrackerTimeoutError):
        _adapter(inner, sleeps, resend=False).call(_Lost(9))
    assert sleeps == [0.5, 7, 1.0, 7]  # no wait at the end: the replay waits before it sends

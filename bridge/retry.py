"""How long to wait before trying again, and how often: the one home of retry waits.

- :class:`RetryPolicy` is the ``[retry]`` section: attempts, backoff, cap and deadline.
- :func:`parse_retry_after` reads a ``Retry-After`` header, in seconds or as an HTTP date.
- :func:`compute_wait` is the wait before the next attempt: what the tracker asked for
  (capped), else jittered exponential backoff.
- :func:`retrying` builds the tenacity loop from a policy. Sleeping, the random source and the
  clock are injected, so tests never wait; tenacity is imported only when a loop is built.

::

    for attempt in retrying(policy, sleep=time.sleep, rng=random.Random()):
        with attempt:
            send()
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Callable
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from bridge.errors import RateLimitedError, TransientError

if TYPE_CHECKING:
    from tenacity import RetryCallState, Retrying

__all__ = ["RetryPolicy", "compute_wait", "parse_retry_after", "retrying"]

# delta-seconds (RFC 9110 allows digits only; a decimal fraction is accepted too)
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


class RetryPolicy(BaseModel):
    """``[retry]``: how transient failures are retried before falling back."""

    model_config = ConfigDict(extra="forbid")

    attempts: int = Field(default=3, ge=1, le=20)
    initial_wait: float = Field(default=0.5, ge=0)
    max_wait: float = Field(default=30.0, gt=0, description="cap on any one backoff wait")
    deadline: float = Field(default=120.0, gt=0, description="cap on the whole operation")
    jitter: float = Field(default=0.5, ge=0)
    settle: float = Field(
        default=10.0,
        ge=0,
        le=600,
        description="after a write that may have landed, the wait before it is looked up or "
        "sent again: how long the tracker may still apply a request it took "
        "(GitHub ends a request after 10 s)",
    )


def parse_retry_after(raw: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds a ``Retry-After`` value asks to wait, or None when it says nothing usable.

    Integer or decimal seconds (``"120"``, ``"1.5"``) or an HTTP date, counted from ``now()``
    (epoch seconds) and clamped at 0 once passed. Negative numbers and garbage give None;
    this never raises.
    """
    if raw is None:
        return None
    text = str(raw).strip()
    if not text:
        return None
    if _SECONDS.fullmatch(text):
        seconds = float(text)
        return seconds if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
        if when.tzinfo is None:  # "-0000": a UTC time from an unknown zone
            when = when.replace(tzinfo=UTC)
        return max(when.timestamp() - now(), 0.0)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def compute_wait(
    policy: RetryPolicy, attempt: int, exc: BaseException | None, rng: random.Random
) -> float:
    """Seconds to wait before attempt ``attempt + 1``: Retry-After if given, else backoff."""
    if isinstance(exc, RateLimitedError) and exc.retry_after is not None:
        return min(max(float(exc.retry_after), 0.0), policy.max_wait)
    base = policy.initial_wait * 2 ** (attempt - 1)
    return float(min(base + rng.uniform(0, policy.jitter * base), policy.max_wait))


def retrying(
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None],
    rng: random.Random,
    clock: Callable[[], float] = time.monotonic,
    retry_on: tuple[type[BaseException], ...] = (TransientError,),
    before_sleep: Callable[[RetryCallState], None] | None = None,
) -> Retrying:
    """A tenacity loop that retries ``retry_on`` errors by ``policy``, then reraises the last.

    It stops after ``policy.attempts``, or as soon as the next wait would end past
    ``policy.deadline`` (counted on ``clock`` from the first attempt); it waits by
    :func:`compute_wait`, through ``sleep``. Anything not in ``retry_on`` raises at once.
    """
    from tenacity import Retrying, retry_if_exception_type

    started = [clock()]

    def begin(state: RetryCallState) -> None:
        if state.attempt_number == 1:  # the loop may be run again: the deadline restarts
            started[0] = clock()

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return compute_wait(policy, state.attempt_number, exc, rng)

    def stop(state: RetryCallState) -> bool:
        if state.attempt_number >= policy.attempts:
            return True
        # tenacity computes the wait before asking whether to stop
        return clock() - started[0] + state.upcoming_sleep >= policy.deadline

    return Retrying(
        before=begin,
        stop=stop,
        wait=wait,
        retry=retry_if_exception_type(retry_on),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )

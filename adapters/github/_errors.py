"""The one place where HTTP failures become bridge errors for the GitHub adapter.

The status table is :mod:`adapters._http`'s; GitHub adds its rate limits (a 403 that is a
primary or secondary limit, waiting until ``X-RateLimit-Reset``) and the ``errors[]``
details of a 422.
"""

from __future__ import annotations

import math
import time
from contextlib import AbstractContextManager
from typing import Any

from github.GithubException import GithubException as GithubError

from adapters._http import Dialect, HttpAnswer, error_for, translating
from bridge.errors import BridgeError
from bridge.retry import parse_retry_after

__all__ = ["error_for_status", "translate"]

ADAPTER = "github"


def _limit_spent(answer: HttpAnswer) -> bool:
    return answer.header("x-ratelimit-remaining") == "0"


def _message(answer: HttpAnswer) -> str:
    data = answer.data
    return str(data.get("message", "")) if isinstance(data, dict) else ""


def _detail(answer: HttpAnswer) -> str:
    """The message, with each of a 422's ``errors[]`` (a field and what is wrong with it)."""
    message = _message(answer)
    errors = answer.data.get("errors") if isinstance(answer.data, dict) else None
    if answer.status != 422 or not isinstance(errors, list):
        return message
    details = "; ".join(
        str(e.get("message") or f"{e.get('field')} {e.get('code')}")
        for e in errors
        if isinstance(e, dict)
    )
    return f"{message} ({details})" if details else message


def _rate_limited(answer: HttpAnswer) -> bool:
    """A 403 that is a rate limit: the primary one spent, or a secondary one."""
    return answer.status == 403 and (
        "rate limit" in _message(answer).lower()
        or answer.header("retry-after") is not None
        or _limit_spent(answer)
    )


def _retry_after(answer: HttpAnswer) -> float | None:
    """``Retry-After`` if given, else until ``X-RateLimit-Reset`` once the limit is spent."""
    after = parse_retry_after(answer.header("retry-after"))
    reset = answer.header("x-ratelimit-reset")
    if after is not None or reset is None or not _limit_spent(answer):
        return after
    try:
        at = float(reset)
    except ValueError:
        return None
    return max(at - time.time(), 0.0) if math.isfinite(at) else None


GITHUB = Dialect(
    tracker="GitHub",
    adapter=ADAPTER,
    detail=_detail,
    rate_limited=_rate_limited,
    retry_after=_retry_after,
)


def error_for_status(
    status: int, headers: dict[str, Any], data: Any, *, ticket_id: str | None, write: bool
) -> BridgeError:
    """The bridge error for an HTTP error answer."""
    answer = HttpAnswer.of(status, headers, data)
    return error_for(GITHUB, answer, ticket_id=ticket_id, write=write)


def _answer(exc: GithubError) -> HttpAnswer:
    return HttpAnswer.of(exc.status, exc.headers, exc.data)


def translate(ticket_id: str | None = None, *, write: bool = False) -> AbstractContextManager[None]:
    """Turn requests, urllib3 and PyGithub exceptions into bridge errors, nothing else."""
    return translating(GITHUB, GithubError, _answer, ticket_id=ticket_id, write=write)

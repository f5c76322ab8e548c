"""HTTP failures as bridge errors, once for every requests-based adapter (GitHub and Jira).

- :data:`STATUS_ERRORS` is the one table from an HTTP status to its bridge error.
- A :class:`Dialect` is what one tracker adds to it: its name, its words for a failure, the
  answers it means as a rate limit although the table says otherwise, when to come back, and
  the few statuses it uses differently.
- :func:`error_for` turns one HTTP error answer into its bridge error.
- :func:`transport_error` translates a failure below HTTP, the same for every tracker.
- :func:`translating` wraps a call and translates all of these, like httpx's
  ``map_exceptions``: nothing foreign escapes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

import requests

from bridge.errors import (
    AuthError,
    BridgeError,
    InvalidError,
    NotFoundError,
    RateLimitedError,
    TrackerTimeoutError,
    TransientError,
    UnavailableError,
)
from bridge.retry import parse_retry_after

__all__ = [
    "MAYBE_APPLIED",
    "STATUS_ERRORS",
    "Dialect",
    "HttpAnswer",
    "error_class",
    "error_for",
    "translating",
    "transport_error",
]

E = TypeVar("E", bound=Exception)

STATUS_ERRORS: Mapping[int, type[BridgeError]] = MappingProxyType(
    {
        400: InvalidError,
        401: AuthError,
        403: AuthError,
        404: NotFoundError,
        410: NotFoundError,
        422: InvalidError,
        429: RateLimitedError,
    }
)
"""Status -> error. Any other 5xx is :class:`UnavailableError`, anything else (409 included:
neither tracker answers it for the cycles and duplicates :class:`ConflictError` names)
:class:`InvalidError`."""

MAYBE_APPLIED = frozenset({502, 504})
"""5xx after which a write may have landed: a gateway gave up waiting, the tracker may not."""

_MESSAGES: Mapping[type[BridgeError], str] = MappingProxyType(
    {
        AuthError: "{tracker} refused the credentials or permission ({status}): {detail}",
        NotFoundError: "not found on {tracker} ({status}): {detail}",
        RateLimitedError: "{tracker} rate limit ({status}): {detail}",
        UnavailableError: "{tracker} answered {status}: {detail}",
        InvalidError: "{tracker} rejected the request ({status}): {detail}",
    }
)
_MESSAGE = "{tracker} answered {status}: {detail}"


@dataclass(frozen=True)
class HttpAnswer:
    """An HTTP error answer: its status, its headers (names lowercased) and its JSON body."""

    status: int
    headers: Mapping[str, Any]
    data: Any = None

    @classmethod
    def of(cls, status: int, headers: Mapping[str, Any] | None, data: Any = None) -> HttpAnswer:
        """The answer, whatever the case of the header names."""
        return cls(status, {str(k).lower(): v for k, v in (headers or {}).items()}, data)

    def header(self, name: str) -> str | None:
        """A header's value as text, None when absent."""
        value = self.headers.get(name.lower())
        return None if value is None else str(value)


def _no_detail(answer: HttpAnswer) -> str:
    return ""


def _never(answer: HttpAnswer) -> bool:
    return False


def _retry_after_header(answer: HttpAnswer) -> float | None:
    return parse_retry_after(answer.header("retry-after"))


@dataclass(frozen=True)
class Dialect:
    """One tracker's hooks into the table; each has a default that adds nothing."""

    tracker: str
    """The tracker as messages name it: ``"GitHub"``."""
    adapter: str
    """The adapter name every error carries: ``"github"``."""
    detail: Callable[[HttpAnswer], str] = _no_detail
    """The tracker's own words for a failure, from its body; ``HTTP <status>`` if none."""
    rate_limited: Callable[[HttpAnswer], bool] = _never
    """True for an answer that is a rate limit although its status says otherwise."""
    retry_after: Callable[[HttpAnswer], float | None] = _retry_after_header
    """Seconds a rate-limited answer asks to wait."""
    statuses: Mapping[int, type[BridgeError]] = field(default_factory=lambda: MappingProxyType({}))
    """Statuses this tracker uses differently from :data:`STATUS_ERRORS`."""


def error_class(
    status: int, overrides: Mapping[int, type[BridgeError]] | None = None
) -> type[BridgeError]:
    """The bridge error of an HTTP status: the tracker's override, the table, else by class."""
    if overrides and status in overrides:
        return overrides[status]
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    return UnavailableError if status >= 500 else InvalidError


def error_for(
    dialect: Dialect, answer: HttpAnswer, *, ticket_id: str | None, write: bool
) -> BridgeError:
    """The bridge error for an HTTP error answer. ``maybe_applied`` is set where a write may
    have landed; a rate limit carries the wait the tracker asked for."""
    kind = (
        RateLimitedError
        if dialect.rate_limited(answer)
        else error_class(answer.status, dialect.statuses)
    )
    message = _MESSAGES.get(kind, _MESSAGE).format(
        tracker=dialect.tracker,
        status=answer.status,
        detail=dialect.detail(answer) or f"HTTP {answer.status}",
    )
    if kind is RateLimitedError:
        return RateLimitedError(
            message,
            adapter=dialect.adapter,
            ticket_id=ticket_id,
            retry_after=dialect.retry_after(answer),
        )
    if issubclass(kind, TransientError):
        return kind(
            message,
            adapter=dialect.adapter,
            ticket_id=ticket_id,
            maybe_applied=write and answer.status in MAYBE_APPLIED,
        )
    return kind(message, adapter=dialect.adapter, ticket_id=ticket_id)


def transport_error(
    exc: requests.exceptions.RequestException,
    *,
    tracker: str,
    adapter: str,
    ticket_id: str | None,
    write: bool,
) -> BridgeError:
    """The bridge error for a failure below HTTP. ``maybe_applied`` is set where a write
    may have reached the tracker: it timed out or lost its connection after being sent."""
    name = type(exc).__name__
    error: type[TransientError]
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        message, error, applied = (
            f"{tracker} did not accept the connection",
            TrackerTimeoutError,
            False,
        )
    elif isinstance(exc, requests.exceptions.Timeout):
        message, error, applied = f"{tracker} did not answer in time", TrackerTimeoutError, write
    elif isinstance(exc, requests.exceptions.ConnectionError):
        refused = "refused" in str(exc).lower() or "NewConnectionError" in str(exc)
        message, error, applied = f"cannot reach {tracker}", UnavailableError, write and not refused
    else:
        message, error, applied = f"HTTP failure talking to {tracker}", UnavailableError, write
    return error(f"{message} ({name})", adapter=adapter, ticket_id=ticket_id, maybe_applied=applied)


@contextmanager
def translating(
    dialect: Dialect,
    http_error: type[E],
    answer_of: Callable[[E], HttpAnswer],
    *,
    ticket_id: str | None,
    write: bool,
) -> Iterator[None]:
    """Translate what the block raises into bridge errors: ``http_error`` (the tracker
    library's error answer, read by ``answer_of``) by the table, requests failures by
    :func:`transport_error`, a malformed answer as :class:`UnavailableError`."""
    try:
        yield
    except BridgeError:
        raise
    except requests.exceptions.RequestException as exc:
        raise transport_error(
            exc, tracker=dialect.tracker, adapter=dialect.adapter, ticket_id=ticket_id, write=write
        ) from None
    except http_error as exc:
        raise error_for(dialect, answer_of(exc), ticket_id=ticket_id, write=write) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise UnavailableError(
            f"unexpected answer from {dialect.tracker}: {type(exc).__name__}: {exc}",
            adapter=dialect.adapter,
            ticket_id=ticket_id,
        ) from None

"""The one place where HTTP failures become bridge errors for the GitHub adapter."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from github.GithubException import GithubException as GithubError

from adapters._transport import retry_after, transport_error
from bridge.errors import (
    AuthError,
    BridgeError,
    InvalidError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
)

__all__ = ["error_for_status", "translate"]

ADAPTER = "github"


def _retry_after(headers: dict[str, Any]) -> float | None:
    after = retry_after(headers.get("retry-after"))
    if after is not None:
        return after
    reset = headers.get("x-ratelimit-reset")
    if reset and str(headers.get("x-ratelimit-remaining")) == "0":
        return max(float(reset) - time.time(), 0.0)
    return None


def error_for_status(
    status: int, headers: dict[str, Any], data: Any, *, ticket_id: str | None, write: bool
) -> BridgeError:
    """The bridge error for an HTTP error answer."""
    headers = {k.lower(): v for k, v in headers.items()}
    message = str(data.get("message", "")) if isinstance(data, dict) else ""
    lowered = message.lower()
    where = {"adapter": ADAPTER, "ticket_id": ticket_id}
    if status == 429 or (
        status == 403
        and (
            "rate limit" in lowered
            or "retry-after" in headers
            or str(headers.get("x-ratelimit-remaining")) == "0"
        )
    ):
        return RateLimitedError(
            f"GitHub rate limit: {message or status}", retry_after=_retry_after(headers), **where
        )
    if status in (401, 403):
        return AuthError(
            f"GitHub refused the credentials or permission ({status}): {message}", **where
        )
    if status in (404, 410):
        return NotFoundError(f"not found on GitHub ({status}): {message}", **where)
    if status == 422:
        details = "; ".join(
            str(e.get("message") or f"{e.get('field')} {e.get('code')}")
            for e in (data.get("errors") or [] if isinstance(data, dict) else [])
            if isinstance(e, dict)
        )
        return InvalidError(
            f"GitHub rejected the request: {message}" + (f" ({details})" if details else ""),
            **where,
        )
    if status >= 500:
        return UnavailableError(
            f"GitHub answered {status}: {message}",
            maybe_applied=write and status in (502, 504),
            adapter=ADAPTER,
            ticket_id=ticket_id,
        )
    return InvalidError(f"GitHub answered {status}: {message}", **where)


@contextmanager
def translate(ticket_id: str | None = None, *, write: bool = False) -> Iterator[None]:
    """Turn requests, urllib3 and PyGithub exceptions into bridge errors, nothing else."""
    try:
        yield
    except BridgeError:
        raise
    except requests.exceptions.RequestException as exc:
        raise transport_error(
            exc, tracker="GitHub", adapter=ADAPTER, ticket_id=ticket_id, write=write
        ) from None
    except GithubError as exc:
        raise error_for_status(
            exc.status, exc.headers or {}, exc.data, ticket_id=ticket_id, write=write
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise UnavailableError(
            f"unexpected answer from GitHub: {type(exc).__name__}: {exc}",
            adapter=ADAPTER,
            ticket_id=ticket_id,
        ) from None

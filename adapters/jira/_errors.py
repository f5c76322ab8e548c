"""The one place where jira and requests failures become bridge errors for the Jira adapter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from jira.exceptions import JIRAError

from adapters._transport import retry_after, transport_error
from bridge.errors import (
    AuthError,
    BridgeError,
    InvalidError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
)

__all__ = ["error_for_response", "translate"]

ADAPTER = "jira"


def _messages(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    parts = [str(m) for m in data.get("errorMessages") or []]
    parts += [f"{k}: {v}" for k, v in (data.get("errors") or {}).items()]
    return "; ".join(parts)


def error_for_response(
    status: int, headers: dict[str, Any], data: Any, *, ticket_id: str | None, write: bool
) -> BridgeError:
    """The bridge error for an HTTP error answer from Jira."""
    message = _messages(data) or f"HTTP {status}"
    if status in (401, 403):
        return AuthError(
            f"Jira refused the credentials or permission ({status}): {message}",
            adapter=ADAPTER,
            ticket_id=ticket_id,
        )
    if status == 404:
        return NotFoundError(f"not found on Jira: {message}", adapter=ADAPTER, ticket_id=ticket_id)
    if status == 429:
        lowered = {k.lower(): v for k, v in headers.items()}
        return RateLimitedError(
            f"Jira rate limit: {message}",
            adapter=ADAPTER,
            ticket_id=ticket_id,
            retry_after=retry_after(lowered.get("retry-after")),
        )
    if status >= 500:
        return UnavailableError(
            f"Jira answered {status}: {message}",
            adapter=ADAPTER,
            ticket_id=ticket_id,
            maybe_applied=write and status in (502, 504),
        )
    return InvalidError(
        f"Jira rejected the request ({status}): {message}", adapter=ADAPTER, ticket_id=ticket_id
    )


@contextmanager
def translate(ticket_id: str | None = None, *, write: bool = False) -> Iterator[None]:
    """Turn jira, requests and urllib3 exceptions into bridge errors, nothing else."""
    try:
        yield
    except BridgeError:
        raise
    except JIRAError as exc:
        response = exc.response
        headers = dict(response.headers) if response is not None else {}
        try:
            data = response.json() if response is not None and response.content else None
        except ValueError:
            data = None
        raise error_for_response(
            exc.status_code or 0, headers, data, ticket_id=ticket_id, write=write
        ) from None
    except requests.exceptions.RequestException as exc:
        raise transport_error(
            exc, tracker="Jira", adapter=ADAPTER, ticket_id=ticket_id, write=write
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise UnavailableError(
            f"unexpected answer from Jira: {type(exc).__name__}: {exc}",
            adapter=ADAPTER,
            ticket_id=ticket_id,
        ) from None

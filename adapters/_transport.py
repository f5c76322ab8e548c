"""What the requests-based adapters share: transport failures and Retry-After, as bridge errors.

Both PyGithub and jira speak ``requests``; a failure below HTTP means the same thing for
both trackers, so it is translated once, here. Each adapter still has its own translation
point for HTTP answers, which differ by tracker.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import requests

from bridge.errors import BridgeError, TrackerTimeoutError, TransientError, UnavailableError

__all__ = ["retry_after", "transport_error"]


def retry_after(raw: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header given in seconds or as an HTTP date."""
    if not raw:
        return None
    raw = str(raw).strip()
    if raw.isdigit():
        return float(raw)
    try:
        return max(parsedate_to_datetime(raw).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


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

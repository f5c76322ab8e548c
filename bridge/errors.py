"""The one error tree of ticket-bridge.

Every adapter translates its library's exceptions into these at a single point, so callers
only ever catch ``bridge`` errors::

    BridgeError
    ├── TransientError            worth retrying; the resilience layer retries, then falls back
    │   ├── RateLimitedError      429 / secondary rate limit; carries ``retry_after`` seconds
    │   ├── UnavailableError      5xx, connection refused or reset
    │   └── TrackerTimeoutError   no answer in time
    └── PermanentError            retrying cannot help; raised at once
        ├── AuthError             bad or missing credentials, no permission
        ├── NotFoundError         no such ticket (or it was deleted / transferred)
        ├── ConflictError         the change contradicts the stored state (cycle, duplicate)
        ├── InvalidError          bad input: unknown enum value, bad id, field too long
        │   └── ConfigError       a bad configuration file or value
        ├── CorruptDataError      a stored file that cannot be read; names the path
        └── UnsupportedError      the tracker cannot do this

Each error carries the adapter name and, where one is concerned, the ticket id.
``maybe_applied`` on a transient error says the request may have reached the tracker (a
timeout or a connection dropped after sending): a create must be looked up before it is sent
again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "AuthError",
    "BridgeError",
    "ConfigError",
    "ConflictError",
    "CorruptDataError",
    "InvalidError",
    "NotFoundError",
    "PermanentError",
    "RateLimitedError",
    "TrackerTimeoutError",
    "TransientError",
    "UnavailableError",
    "UnsupportedError",
    "already_landed",
]


class BridgeError(Exception):
    """Base of every error ticket-bridge raises."""

    def __init__(
        self, message: str, *, adapter: str | None = None, ticket_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.adapter = adapter
        self.ticket_id = ticket_id

    def __str__(self) -> str:
        where = [part for part in (self.adapter, self.ticket_id) if part]
        prefix = f"[{' '.join(where)}] " if where else ""
        return f"{prefix}{self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, adapter={self.adapter!r}, "
            f"ticket_id={self.ticket_id!r})"
        )


class TransientError(BridgeError):
    """A failure that may pass: the operation can be retried."""

    def __init__(
        self,
        message: str,
        *,
        adapter: str | None = None,
        ticket_id: str | None = None,
        maybe_applied: bool = False,
    ) -> None:
        super().__init__(message, adapter=adapter, ticket_id=ticket_id)
        self.maybe_applied = maybe_applied


class RateLimitedError(TransientError):
    """The tracker asked us to slow down; ``retry_after`` is its wait in seconds, if it said."""

    def __init__(
        self,
        message: str,
        *,
        adapter: str | None = None,
        ticket_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, adapter=adapter, ticket_id=ticket_id)
        self.retry_after = retry_after


class UnavailableError(TransientError):
    """The tracker answered 5xx or could not be reached."""


class TrackerTimeoutError(TransientError):
    """The tracker did not answer in time."""


class PermanentError(BridgeError):
    """A failure that retrying cannot fix."""


class AuthError(PermanentError):
    """Missing or bad credentials, or no permission for the operation."""


class NotFoundError(PermanentError):
    """The ticket (or the project, or the repository) does not exist."""


class ConflictError(PermanentError):
    """The change contradicts what is stored (a dependency cycle, a duplicate link)."""


class InvalidError(PermanentError, ValueError):
    """Bad input, named in the message: the field, the value and what was expected."""


class ConfigError(InvalidError):
    """A configuration file or value is wrong; the message names the file and the key."""


class CorruptDataError(PermanentError):
    """A stored file cannot be parsed; ``path`` names it. The rest of the store keeps working."""

    def __init__(
        self,
        message: str,
        *,
        path: str,
        adapter: str | None = None,
        ticket_id: str | None = None,
    ) -> None:
        super().__init__(message, adapter=adapter, ticket_id=ticket_id)
        self.path = path


class UnsupportedError(PermanentError):
    """The tracker (or this adapter's configuration) cannot do this."""


@contextmanager
def already_landed() -> Iterator[None]:
    """Around the steps that follow a write that has landed (a create's links, its closing
    request): a transient failure there says the operation may have been applied, so that
    a retry looks it up by its key and completes it instead of making it again."""
    try:
        yield
    except TransientError as exc:
        exc.maybe_applied = True
        raise

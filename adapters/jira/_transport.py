"""One HTTP exchange with a Jira site, bounded: one deadline, one size cap, one host.

- **Deadline**: a request, its redirects and the reading of its body share one deadline (the
  configured ``timeout``). The body is streamed and read a socket read at a time, so a body
  that trickles a byte at a time ends at the deadline instead of never.
- **Size**: a body larger than ``max_response_bytes`` (by its ``Content-Length`` or as it
  arrives) is refused as soon as that is known, without being read further.
- **Host**: redirects are followed only to the configured site's own scheme, host and port,
  for a read; a redirect elsewhere is refused, so the credentials never go to another host.
- **Shape**: a non-empty 2xx answer must be JSON (by its content type and its text); an HTML
  error page behind a proxy, a truncated or garbled body, each is a bridge error.

Bridge errors raised here pass through the adapter's translation unchanged; requests'
own failures (connection, timeouts before the body) are translated there.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from adapters.jira._errors import error_for_response
from bridge.errors import TrackerTimeoutError, UnavailableError

__all__ = ["Transport"]

CHUNK = 64 * 1024
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


@dataclass
class Transport:
    """Sends requests on the jira library's authenticated session within the bounds above."""

    session: Any  # the jira library's requests session (auth attached), used as a plain one
    site: str
    timeout: float
    max_bytes: int

    def exchange(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None,
        body: Any,
        ticket_id: str | None,
        write: bool,
    ) -> Any:
        """The decoded JSON answer (None for an empty one); an HTTP error answer raises its
        bridge error, with Jira's own messages."""
        deadline = time.monotonic() + self.timeout
        response = self._send(method, url, params, body, deadline, ticket_id)
        try:
            raw = self._read(response, deadline, ticket_id, write=write)
        except BaseException:
            response.close()  # the rest of the body is never read: drop the connection
            raise
        response.raw.release_conn()  # read to the end: the connection can be reused
        status, headers = response.status_code, dict(response.headers)
        if status >= 400:
            data = _json_or_none(raw)
            raise error_for_response(status, headers, data, ticket_id=ticket_id, write=write)
        return _decode(raw, headers.get("Content-Type") or "", status, ticket_id)

    def _send(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        body: Any,
        deadline: float,
        ticket_id: str | None,
    ) -> requests.Response:
        """The response whose body is to be read, after same-site redirects of a read."""
        home = _origin(self.site)
        for _ in range(MAX_REDIRECTS + 1):
            remaining = max(deadline - time.monotonic(), 0.001)
            # requests.Session's own request: no retries, no reading of the body before us.
            response: requests.Response = requests.Session.request(
                self.session,
                method,
                url,
                params=params,
                json=body,
                stream=True,
                allow_redirects=False,
                timeout=(remaining, remaining),
            )
            if response.status_code not in _REDIRECTS:
                return response
            response.close()
            target = urljoin(url, response.headers.get("Location") or "")
            if _origin(target) != home or method not in ("GET", "HEAD"):
                raise UnavailableError(
                    f"Jira answered {response.status_code} redirecting {method} to "
                    f"{urlsplit(target).netloc or 'nowhere'}; not followed (only reads "
                    "are followed, and only on the configured site)",
                    adapter="jira",
                    ticket_id=ticket_id,
                )
            url, params = target, None  # the location carries its own query
        raise UnavailableError(
            f"Jira redirected more than {MAX_REDIRECTS} times", adapter="jira", ticket_id=ticket_id
        )

    def _read(
        self, response: requests.Response, deadline: float, ticket_id: str | None, *, write: bool
    ) -> bytes:
        """The body, read a socket read at a time, within the deadline and the size cap."""
        declared = response.headers.get("Content-Length") or ""
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self._too_big(f"{declared} bytes", ticket_id)
        buffer = bytearray()
        try:
            while True:
                if time.monotonic() > deadline:
                    raise TrackerTimeoutError(
                        f"Jira did not finish its answer within {self.timeout:g} s",
                        adapter="jira",
                        ticket_id=ticket_id,
                        maybe_applied=write,
                    )
                chunk = response.raw.read1(CHUNK, decode_content=True)
                if not chunk:
                    return bytes(buffer)
                buffer += chunk
                if len(buffer) > self.max_bytes:
                    raise self._too_big(f"more than {self.max_bytes} bytes", ticket_id)
        except urllib3.exceptions.TimeoutError:
            raise TrackerTimeoutError(
                f"Jira stopped sending its answer (no data within {self.timeout:g} s)",
                adapter="jira",
                ticket_id=ticket_id,
                maybe_applied=write,
            ) from None
        except urllib3.exceptions.HTTPError as exc:
            raise UnavailableError(
                f"Jira's answer was cut off ({type(exc).__name__})",
                adapter="jira",
                ticket_id=ticket_id,
                maybe_applied=write,
            ) from None

    def _too_big(self, size: str, ticket_id: str | None) -> UnavailableError:
        return UnavailableError(
            f"Jira's answer is {size}, over max_response_bytes ({self.max_bytes}); not read",
            adapter="jira",
            ticket_id=ticket_id,
        )


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _decode(raw: bytes, content_type: str, status: int, ticket_id: str | None) -> Any:
    if not raw:
        return None
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    if not (kind == "application/json" or kind.endswith("+json")):
        raise UnavailableError(
            f"Jira answered {status} with {kind or 'no content type'}, not JSON "
            f"({len(raw)} bytes, starting {raw[:40]!r})",
            adapter="jira",
            ticket_id=ticket_id,
        )
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise UnavailableError(
            f"Jira answered {status} with a body that is not valid JSON ({exc})",
            adapter="jira",
            ticket_id=ticket_id,
        ) from None

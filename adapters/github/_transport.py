"""The raw transport under PyGithub's requester: a ``requests.Session`` the adapter controls.

PyGithub builds every request (authentication, user agent, parameters, throttling) and hands
it to a connection object; ``Requester.requestJson(cnx=...)`` takes ours. Through it, each
request of the adapter gets:

- **one deadline** (``GitHubConfig.deadline``) that covers connecting, every redirect, the
  headers and reading the whole body; the body is read as it arrives, so a server that
  trickles it cannot hold a request past the deadline (``timeout`` still bounds each read);
- **a size cap** (``GitHubConfig.max_response_bytes``): reading stops at the cap, a larger
  ``Content-Length`` is refused before the body is read;
- **redirects on the same origin only** (scheme, host and port of ``base_url``), at most
  :data:`MAX_REDIRECTS`, the method kept for 307/308 and only reads followed for 301/302/303.
  A redirect anywhere else is refused before any request goes there, so the token never
  leaves the configured server.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from github.Requester import HTTPRequestsConnectionClass, RequestsResponse

from adapters.github._config import GitHubConfig
from bridge.errors import TrackerTimeoutError, UnavailableError

__all__ = ["MAX_REDIRECTS", "Transport"]

ADAPTER = "github"
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_KEEP_METHOD = frozenset({307, 308})


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _no_netrc(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Session auth that adds nothing: PyGithub sends the token, ``~/.netrc`` is never read."""
    return request


def _read1(response: requests.Response) -> bytes:
    """What has arrived of the body (at most one read of the socket), decompressed; urllib3's
    failures as the requests exceptions the error translation knows."""
    try:
        return bytes(response.raw.read1(_CHUNK, decode_content=True))
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(str(exc)) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise requests.exceptions.ConnectionError(str(exc)) from None


class _Answer(RequestsResponse):
    """What PyGithub reads from a connection: status, headers and the text already read."""

    def __init__(self, response: requests.Response, text: str) -> None:
        super().__init__(response)
        self._text = text

    def read(self) -> str:
        return self._text


class _Connection(HTTPRequestsConnectionClass):
    """One request of the adapter (with whatever PyGithub repeats of it), under one deadline.

    PyGithub calls :meth:`request`, then :meth:`getresponse`, and may call them again on the
    same object for a 202; the deadline holds across those calls.
    """

    def __init__(self, transport: Transport, deadline: float) -> None:
        # The base class opens a session of its own; this connection uses the transport's.
        self.transport, self.deadline = transport, deadline
        self.host = transport.host
        self.verb, self.url, self.input = "GET", "/", None
        self.headers: dict[str, str] = {}

    def request(
        self,
        verb: str,
        url: str,
        input: Any,
        headers: dict[str, str],
        stream: bool = False,
    ) -> None:
        self.verb, self.url, self.input, self.headers = verb, url, input, headers

    def getresponse(self) -> RequestsResponse:
        return self.transport.exchange(self.verb, self.url, self.input, self.headers, self.deadline)

    def close(self) -> None:
        return


class Transport:
    """The session, the limits and the origin of every request the adapter sends."""

    def __init__(self, config: GitHubConfig) -> None:
        self.base = config.base_url
        self.origin = _origin(config.base_url)
        self.host = self.origin[1]
        self.timeout = config.timeout
        self.deadline = config.deadline
        self.max_bytes = config.max_response_bytes
        self.session = requests.Session()
        self.session.auth = _no_netrc
        adapter = requests.adapters.HTTPAdapter(max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def connection(self) -> _Connection:
        """A connection for one request, its deadline starting now."""
        return _Connection(self, time.monotonic() + self.deadline)

    def _left(self, deadline: float, write: bool) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TrackerTimeoutError(
                f"GitHub did not answer within the deadline of {self.deadline:g} s",
                adapter=ADAPTER,
                maybe_applied=write,
            )
        return left

    def exchange(
        self, verb: str, path: str, body: Any, headers: dict[str, str], deadline: float
    ) -> _Answer:
        """Send, follow same-origin redirects, read the body: all before ``deadline``."""
        parts = urlsplit(self.base)
        url = f"{parts.scheme}://{parts.netloc}{path}"
        write = verb not in ("GET", "HEAD")
        for _hop in range(MAX_REDIRECTS + 1):
            left = self._left(deadline, write)
            response = self.session.request(
                verb,
                url,
                data=body,
                headers=headers,
                timeout=(min(self.timeout, left), min(self.timeout, left)),
                allow_redirects=False,
                stream=True,
            )
            if response.status_code not in _REDIRECTS or "location" not in response.headers:
                return _Answer(response, self._read(response, deadline, write))
            response.close()
            url, verb, body = self._redirect(response, url, verb, body)
        raise UnavailableError(
            f"GitHub redirected more than {MAX_REDIRECTS} times", adapter=ADAPTER
        )

    def _redirect(
        self, response: requests.Response, url: str, verb: str, body: Any
    ) -> tuple[str, str, Any]:
        """Where a redirect leads, if it may be followed; else an error, nothing sent."""
        target = urljoin(url, response.headers["location"])
        status = response.status_code
        if _origin(target) != self.origin:
            raise UnavailableError(
                f"GitHub redirected ({status}) to {_origin(target)[1] or 'another host'}, "
                f"outside {self.base}: not followed, and the token was not sent there; "
                "check base_url",
                adapter=ADAPTER,
            )
        if status not in _KEEP_METHOD and verb not in ("GET", "HEAD"):
            raise UnavailableError(
                f"GitHub answered a {verb} with a {status} redirect: not followed, "
                "nothing was changed",
                adapter=ADAPTER,
            )
        return target, verb, body

    def _read(self, response: requests.Response, deadline: float, write: bool) -> str:
        """The body as text, read chunk by chunk against the deadline and the size cap."""
        try:
            declared = int(response.headers.get("content-length", "-1"))
        except ValueError:
            declared = -1
        if declared > self.max_bytes:
            response.close()
            raise self._too_big(declared)
        data = bytearray()
        with response:
            while True:
                self._left(deadline, write)
                chunk = _read1(response)
                if not chunk:
                    break
                data += chunk
                if len(data) > self.max_bytes:
                    raise self._too_big(None)
        return data.decode("utf-8", errors="replace")

    def _too_big(self, declared: int | None) -> UnavailableError:
        size = f"is {declared} bytes, " if declared is not None else "goes on "
        return UnavailableError(
            f"GitHub's answer {size}over the limit of {self.max_bytes} bytes "
            "(max_response_bytes): reading stopped",
            adapter=ADAPTER,
        )

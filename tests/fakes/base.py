"""A small threaded HTTP server on 127.0.0.1 for the stateful tracker fakes.

A fake subclasses :class:`FakeApp` and registers routes; :class:`FakeServer` serves it, keeps a
request log and injects faults. No state lives on classes: every server holds its own.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Request:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    raw_body: bytes = b""

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """A fault served instead of (or after) the normal answer.

    kind: ``status`` answers ``status`` with ``headers``/``body`` without applying anything;
    ``reset`` closes the connection without applying; ``drop_after`` applies the request, then
    closes the connection without answering; ``slow`` sleeps ``delay`` seconds, then answers.
    ``hang`` waits ``delay`` seconds, then closes the connection without applying.
    ``late`` takes the request and closes the connection without answering (the client sees
    a failure after sending, as when it timed out); the tracker applies the request later,
    when the next request arrives, or when ``after`` more requests have arrived before that
    one (:meth:`FakeServer.land_late` applies what is still waiting).
    ``method`` and ``path`` (a regex searched in the path) narrow which requests it hits;
    ``times`` is how many requests it hits before it is used up.
    """

    kind: str = "status"
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0
    method: str | None = None
    path: str | None = None
    times: int = 1
    writes_only: bool = False
    after: int = 0

    def hits(self, req: Request) -> bool:
        if self.times <= 0:
            return False
        if self.method and req.method != self.method:
            return False
        if self.writes_only and req.method not in WRITE_METHODS:
            return False
        return not (self.path and not re.search(self.path, req.path))


@dataclass
class LogEntry:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    headers: dict[str, str]
    body: Any


Handler = Callable[..., Response]


class Validator(Protocol):
    """Checks what a fake receives and sends (``tests.fakes.openapi.FakeValidator``)."""

    def check_request(self, req: Request) -> list[Any]: ...

    def check_response(
        self, req: Request, status: int, payload: bytes, report: Callable[[list[Any]], None]
    ) -> None: ...


# Every server started in this process, for the test hook that fails a test on a violation.
STARTED: list[FakeServer] = []


class FakeApp:
    """Routes ``(method, regex)`` to handlers; subclasses add routes in ``__init__``."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.lock = threading.RLock()
        self.base_url = ""

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(f"^{pattern}$"), handler))

    def dispatch(self, req: Request) -> Response:
        allowed = False
        for method, pattern, handler in self._routes:
            match = pattern.match(req.path)
            if match:
                allowed = True
                if method == req.method:
                    with self.lock:
                        return handler(req, **match.groupdict())
        if allowed:
            return Response(405, {"message": "Method Not Allowed"})
        return Response(404, {"message": "Not Found"})


class FakeServer:
    """Serves a :class:`FakeApp` on 127.0.0.1 with a request log and fault injection.

    With a ``validator`` (set on the class for every server, or on one), each request and each
    answer of the app (not an injected fault) is checked; what it finds is in ``violations``.
    """

    validator: Validator | None = None

    def __init__(self, app: FakeApp) -> None:
        self.app = app
        self.log: list[LogEntry] = []
        self.faults: list[Fault] = []
        self.late: list[tuple[int, Request]] = []  # (requests still to arrive, request)
        self.landed: list[tuple[str, str, int]] = []  # late requests applied, with the status
        self.late_errors: list[Exception] = []
        self.violations: list[Any] = []
        self.checked_requests = 0
        self.checked_responses = 0
        self._lock = threading.Lock()
        server = self
        handler = _make_handler(server)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> FakeServer:
        STARTED.append(self)
        self._thread.start()
        return self

    def check(self, req: Request, status: int | None = None, payload: bytes = b"") -> None:
        """Have the validator, if any, check a request or (with ``status``) what was sent back."""
        validator = self.validator
        if validator is None:
            return
        try:
            if status is None:
                self._checked(validator.check_request(req), response=False)
            else:
                validator.check_response(
                    req, status, payload, lambda found: self._checked(found, response=True)
                )
        except Exception as exc:  # a bug in the validator must show, not break the fake
            self._checked(
                [f"validator error on {req.method} {req.path}: {exc!r}"], status is not None
            )

    def _checked(self, found: list[Any], response: bool) -> None:
        with self._lock:
            self.violations.extend(found)
            if response:
                self.checked_responses += 1
            else:
                self.checked_requests += 1

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    def writes(self) -> list[LogEntry]:
        return [e for e in self.log if e.method in WRITE_METHODS]

    def take_fault(self, req: Request) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.hits(req):
                    fault.times -= 1
                    return fault
        return None

    def hold(self, req: Request, after: int) -> None:
        """Keep ``req`` to apply once ``after`` more requests have arrived, then the next."""
        with self._lock:
            self.late.append((after, req))

    def arrived(self) -> list[Request]:
        """A request arrived: the held requests due now, oldest first (no longer held)."""
        with self._lock:
            due = [req for left, req in self.late if left <= 0]
            self.late = [(left - 1, req) for left, req in self.late if left > 0]
        return due

    def land_late(self) -> int:
        """Apply every held request now, oldest first; how many there were."""
        with self._lock:
            held, self.late = [req for _, req in self.late], []
        for req in held:
            self.apply_late(req)
        return len(held)

    def apply_late(self, req: Request) -> None:
        """Apply a held request, as the tracker finally does; its answer goes nowhere."""
        try:
            status = self.app.dispatch(req).status
        except Exception as exc:  # a bug in the fake; nobody waits for this answer
            self.late_errors.append(exc)
            status = 500
        with self._lock:
            self.landed.append((req.method, req.path, status))

    def record(self, req: Request, status: int) -> None:
        with self._lock:
            self.log.append(
                LogEntry(req.method, req.path, req.query, status, req.headers, req.body)
            )


def _make_handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            req = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                raw_body=raw,
            )
            server.check(req)
            for held in server.arrived():  # late writes land before this request is served
                server.apply_late(held)
            fault = server.take_fault(req)
            if fault and fault.kind == "late":  # taken, not answered, applied later
                server.record(req, 0)
                server.hold(req, fault.after)
                self.close_connection = True
                return
            if fault and fault.kind == "hang":  # no answer in time, nothing applied
                time.sleep(fault.delay)
                server.record(req, 0)
                self.close_connection = True
                return
            if fault and fault.kind == "reset":
                server.record(req, 0)
                self.close_connection = True
                return
            if fault and fault.kind == "status":
                server.record(req, fault.status)
                self._send(
                    Response(fault.status, fault.body or {"message": "fault"}, fault.headers)
                )
                return
            if fault and fault.kind == "slow":
                time.sleep(fault.delay)
            try:
                resp = server.app.dispatch(req)
            except Exception as exc:  # a bug in the fake must show, not hang the client
                resp = Response(500, {"message": f"fake error: {exc!r}"})
            server.record(req, resp.status if not (fault and fault.kind == "drop_after") else 0)
            if fault and fault.kind == "drop_after":
                self.close_connection = True
                return
            self._send(resp, req)

        def _send(self, resp: Response, req: Request | None = None) -> None:
            if resp.body is None or resp.status in (204, 304):
                payload = b""
            elif isinstance(resp.body, bytes):
                payload = resp.body
            else:
                payload = json.dumps(resp.body).encode()
            if req is not None:  # the app's answer, not a fault: checked before it goes out
                server.check(req, resp.status, payload)
            self.send_response(resp.status)
            headers = {"Content-Type": "application/json; charset=utf-8", **resp.headers}
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload:
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return _Handler

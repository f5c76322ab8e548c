"""A loopback server that answers as a broken or hostile GitHub would.

Each test gives it a function that writes the whole answer on the raw connection: a body
that is HTML, garbage, huge or trickled, a redirect elsewhere, a ``Link`` that loops. The
server logs every request line and its headers, so a test can tell that a request (or a
token) never reached it. Every answer is bounded: nothing here loops without end.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[BaseHTTPRequestHandler], None]

ISSUE_PATH = "/api/v3/repos/octo/tickets/issues/1"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class HostileServer:
    answer: Answer
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def end_headers(self) -> None:
                # every connection is closed after one answer: say so, so that the client
                # never reuses one the server is closing (a reset on a loaded machine)
                self.send_header("Connection", "close")
                super().end_headers()

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.seen.append(Seen(self.command, self.path, headers))
                # the client may stop reading: what a capped reader does
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server.answer(self)
                self.close_connection = True

            do_GET = do_POST = do_PATCH = do_DELETE = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def issue(number: Any = 1, **fields: Any) -> dict[str, Any]:
    """A well-formed issue, with ``fields`` changed (``None`` values are left out)."""
    base: dict[str, Any] = _issue(1 if not isinstance(number, int) else number)
    base.update(number=number, **fields)
    return {k: v for k, v in base.items() if v is not None}


def _issue(number: int) -> dict[str, Any]:
    return {
        "id": 1000 + number,
        "number": number,
        "title": f"Issue {number}",
        "body": "",
        "state": "open",
        "labels": [],
        "assignees": [],
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-01T00:00:00Z",
        "html_url": f"https://github.example/octo/tickets/issues/{number}",
    }


def send(
    handler: BaseHTTPRequestHandler,
    body: bytes | Any,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json; charset=utf-8",
) -> None:
    """A whole answer with a Content-Length."""
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def send_chunks(
    handler: BaseHTTPRequestHandler, chunks: Iterator[bytes], *, pause: float = 0.0
) -> None:
    """An answer without a length, its body written chunk by chunk (``pause`` between)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json; charset=utf-8")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    for chunk in chunks:
        handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        handler.wfile.flush()
        if pause:
            time.sleep(pause)
    handler.wfile.write(b"0\r\n\r\n")


def huge_issue(total: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """An issue whose body makes the answer ``total`` bytes long, made as it is sent."""
    head = json.dumps(issue(body=None))[:-1].encode() + b', "body": "'
    yield head
    sent = len(head)
    while sent < total - 2:
        piece = min(chunk, total - 2 - sent)
        yield b"a" * piece
        sent += piece
    yield b'"}'

"""Streamable HTTP for ``ticket-bridge mcp --http HOST:PORT``, with an optional bearer token.

The socket is bound before the server starts, so ``--http 127.0.0.1:0`` takes a free port;
the address served is printed on stderr. With a token, every HTTP request must carry
``Authorization: Bearer <token>`` (compared in constant time), or it is answered 401.
"""

from __future__ import annotations

import hmac
import json
import socket
import sys
from typing import Any

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["BearerAuth", "run_http"]


class BearerAuth:
    """ASGI middleware: HTTP requests without the bearer token are refused with 401."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._authorized(scope):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": "unauthorized: send Authorization: Bearer <token>"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Bearer realm="ticket-bridge"'),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _authorized(self, scope: Scope) -> bool:
        given = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        return hmac.compare_digest(given, self.expected)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def run_http(server: Any, host: str, port: int, token: str | None) -> None:
    """Serve ``server`` (an ``MCPServer``) at ``http://host:port/mcp`` until interrupted."""
    import uvicorn

    app: ASGIApp = server.streamable_http_app(host=host)
    if token:
        app = BearerAuth(app, token)
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(f"ticket-bridge mcp: serving http://{shown}:{bound}/mcp\n")
    sys.stderr.flush()
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    anyio.run(lambda: uvicorn.Server(config).serve(sockets=[sock]))

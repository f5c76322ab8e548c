"""A loopback server that answers as badly as a real network can: raw bytes, a trickle, a
body of any size made on the fly, a redirect anywhere. Each request is answered by the next
scripted :data:`Answer` (the last one repeats) and logged."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Answer = Callable[[socket.socket, "Seen"], None]


@dataclass
class Seen:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HostileServer:
    answers: list[Answer] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                owner.serve(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.tcp.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.tcp.server_address[1]}"
        threading.Thread(target=self.tcp.serve_forever, args=(0.02,), daemon=True).start()

    def stop(self) -> None:
        self.tcp.shutdown()
        self.tcp.server_close()

    def serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                more = conn.recv(65536)
                if not more:
                    return
                data += more
            head, _, body = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
            length = int(headers.get("content-length") or 0)
            while len(body) < length:
                body += conn.recv(65536)
            seen = Seen(method, path, headers, body)
            self.seen.append(seen)
            answer = self.answers[min(len(self.seen), len(self.answers)) - 1]
            answer(conn, seen)
        except OSError:
            return
        finally:
            conn.close()


def head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join([*lines, "Connection: close"]) + "\r\n\r\n").encode()


def raw(status: int, body: bytes, content_type: str = "application/json", **extra: str) -> Answer:
    """An answer with ``body`` as it is, its length declared."""

    def answer(conn: socket.socket, seen: Seen) -> None:
        headers = {"Content-Type": content_type, "Content-Length": str(len(body)), **extra}
        conn.sendall(head(status, headers) + body)

    return answer


def truncated(body: bytes, declared: int) -> Answer:
    """``declared`` bytes promised, ``body`` sent, the connection closed."""

    def answer(conn: socket.socket, seen: Seen) -> None:
        headers = {"Content-Type": "application/json", "Content-Length": str(declared)}
        conn.sendall(head(200, headers) + body)

    return answer


def trickle(body: bytes, every: float) -> Answer:
    """The body one byte every ``every`` seconds, until the client goes away."""

    def answer(conn: socket.socket, seen: Seen) -> None:
        conn.sendall(head(200, {"Content-Type": "application/json"}))
        for byte in body:
            conn.sendall(bytes([byte]))
            time.sleep(every)

    return answer


def huge(size: int, *, declare: bool) -> Answer:
    """``size`` bytes of a JSON string, made a MB at a time, its length declared or not."""

    def answer(conn: socket.socket, seen: Seen) -> None:
        headers = {"Content-Type": "application/json"}
        if declare:
            headers["Content-Length"] = str(size)
        conn.sendall(head(200, headers) + b'"')
        block = b"x" * (1 << 20)
        sent = 1
        while sent < size - 1:
            piece = block[: min(len(block), size - 1 - sent)]
            conn.sendall(piece)
            sent += len(piece)
        conn.sendall(b'"')

    return answer


def redirect(location: str, status: int = 302) -> Answer:
    return raw(status, b"", "text/html", Location=location)

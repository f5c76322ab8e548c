"""``ticket-bridge mcp``: serve the bridge to MCP clients, over stdio or streamable HTTP.

``register(subparsers)`` adds the command; the MCP SDK is imported only when it runs.
"""

from __future__ import annotations

import argparse
import ipaddress
import os

from bridge.cli._common import command
from bridge.errors import ConfigError, InvalidError

__all__ = ["cmd_mcp", "parse_http", "register"]

TOKEN_ENV = "TICKET_BRIDGE_MCP_TOKEN"  # noqa: S105 - a variable name, not a secret
DEFAULT_HOST = "127.0.0.1"


def parse_http(raw: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[IPv6]:PORT``, ``:PORT`` or ``PORT`` -> (host, port)."""
    host, sep, port = raw.rpartition(":")
    if not sep:
        host, port = "", raw
    host = host.strip("[]") or DEFAULT_HOST
    if not port.isdigit() or int(port) > 65535:
        raise InvalidError(f"--http {raw!r}: expected HOST:PORT, e.g. 127.0.0.1:8765")
    return host, int(port)


def is_loopback(host: str) -> bool:
    """True for localhost and the loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _token(args: argparse.Namespace, host: str) -> str | None:
    token = os.environ.get(args.token_env) or None
    if token is None and not is_loopback(host):
        raise ConfigError(
            f"--http {host}: listening beyond this machine needs a bearer token; "
            f"set ${args.token_env} (clients send 'Authorization: Bearer <token>')"
        )
    return token


def cmd_mcp(args: argparse.Namespace) -> int:
    """Build the configured bridge once and serve it until the client goes away."""
    from bridge.config import load_config
    from bridge.factory import build_bridge

    address = parse_http(args.http) if args.http else None
    token = _token(args, address[0]) if address else None
    try:
        from bridge.mcp import server
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("mcp", "mcp_types"):
            raise
        raise ConfigError(
            "ticket-bridge mcp needs the MCP SDK: pip install 'ticket-bridge[mcp]'"
        ) from None
    bridge = build_bridge(load_config(args.config), args.tracker)
    if address is None:
        server.serve_stdio(bridge)
    else:
        server.serve_http(bridge, address[0], address[1], token)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``mcp`` to the ``ticket-bridge`` parser."""
    p = command(
        subparsers,
        "mcp",
        "serve the tickets to MCP clients (AI agents) over stdio or HTTP",
        "ticket-bridge mcp",
        "ticket-bridge mcp --http 127.0.0.1:8765",
        description="An MCP server over the configured tracker: stdio by default.",
    )
    p.add_argument(
        "--http",
        metavar="HOST:PORT",
        help="streamable HTTP instead of stdio (host default 127.0.0.1; another host "
        f"needs a bearer token in ${TOKEN_ENV})",
    )
    p.add_argument(
        "--token-env",
        default=TOKEN_ENV,
        metavar="NAME",
        help=f"the variable holding the bearer token (default {TOKEN_ENV}); when it is "
        "set, every HTTP request must carry it",
    )
    p.set_defaults(standalone=cmd_mcp)

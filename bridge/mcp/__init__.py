"""The bridge as MCP tools for AI agents: ``ticket-bridge mcp``.

The tools, resources and prompts of :func:`bridge.mcp.server.build_server` work on the
configured service (retried, with the local fallback, for GitHub and Jira). Lists are one
short line per ticket and paged with a cursor; every response stays under about 32 KB.

Importing this package does not import the MCP SDK: only :mod:`bridge.mcp.server` and the
modules it uses do, when the ``mcp`` command runs (``pip install 'ticket-bridge[mcp]'``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bridge.mcp.server import build_server, serve_http, serve_stdio

__all__ = ["build_server", "serve_http", "serve_stdio"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("bridge.mcp.server"), name)
    raise AttributeError(f"module 'bridge.mcp' has no attribute {name!r}")

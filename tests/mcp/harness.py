"""Talk to ``ticket-bridge mcp`` as a client would: a subprocess, the SDK's own client.

``session(workdir, env)`` starts the real command over stdio (optionally with every line it
writes copied to a file, to measure the wire) and yields a :class:`Session` whose ``call``
returns a tool's structured result and ``error`` the text of a tool error.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

LOCAL_CONFIG = """
[bridge]
tracker = "local"
[trackers.local]
type = "local_json"
path = ".tickets"
"""


def github_config(url: str, *, attempts: int = 2) -> str:
    """A GitHub tracker at a fake, falling back to ./store, retrying with no wait."""
    return f"""
[bridge]
tracker = "github"
[trackers.github]
type = "github"
repo = "octo/tickets"
base_url = "{url}/api/v3"
timeout = 5
seconds_between_requests = 0
seconds_between_writes = 0
[trackers.local]
type = "local_json"
path = "store"
[retry]
attempts = {attempts}
initial_wait = 0
max_wait = 0.01
jitter = 0
"""


def bridge_command() -> list[str]:
    """``ticket-bridge`` of this environment (``python -m bridge`` when not installed)."""
    script = Path(sys.executable).with_name("ticket-bridge")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bridge"]


class Session:
    """One connected client."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def result(self, tool: str, **arguments: Any) -> CallToolResult:
        return await self.client.call_tool(tool, arguments)

    async def call(self, tool: str, **arguments: Any) -> dict[str, Any]:
        """The structured result of a call that must succeed."""
        result = await self.result(tool, **arguments)
        text = result.content[0].text if result.content else ""  # type: ignore[union-attr]
        assert not result.is_error, f"{tool} failed: {text}"
        assert isinstance(result.structured_content, dict)
        return result.structured_content

    async def error(self, tool: str, **arguments: Any) -> str:
        """The message of a call that must fail as a tool error."""
        result = await self.result(tool, **arguments)
        assert result.is_error, f"{tool} succeeded: {result.structured_content}"
        assert result.structured_content is None
        text: str = result.content[0].text  # type: ignore[union-attr]
        assert "Traceback" not in text
        return text


@asynccontextmanager
async def session(
    workdir: Path,
    env: dict[str, str] | None = None,
    *,
    args: tuple[str, ...] = (),
    wire: Path | None = None,
) -> AsyncIterator[Session]:
    """``ticket-bridge mcp`` started in ``workdir`` with ``env``; with ``wire``, every line
    the server writes is also appended to that file."""
    command = [*bridge_command(), *args, "mcp"]
    environment = {"PYTHONUNBUFFERED": "1", **(env or {})}
    if "TICKET_BRIDGE_CONFIG" not in environment:
        environment["TICKET_BRIDGE_CONFIG"] = str(workdir / "ticket-bridge.toml")
    if wire is None:
        params = StdioServerParameters(
            command=command[0], args=command[1:], env=environment, cwd=workdir
        )
    else:
        line = f"{shlex.join(command)} | tee -a {shlex.quote(str(wire))}"
        params = StdioServerParameters(
            command="/bin/sh", args=["-c", line], env=environment, cwd=workdir
        )
    with (workdir / "server-stderr.log").open("a", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            yield Session(client)

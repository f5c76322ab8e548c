"""Transports and the process: streamable HTTP with a bearer token, the refusal to listen
beyond loopback without one, concurrent calls, and a CLI that loads the SDK only for mcp."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from bridge.config import parse_config
from bridge.errors import InvalidError
from bridge.factory import Bridge
from bridge.mcp.commands import is_loopback, parse_http
from bridge.mcp.context import ToolContext
from tests.mcp.harness import LOCAL_CONFIG, bridge_command, session

SECRET = "s3cret-bearer-token"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "ticket-bridge.toml").write_text(LOCAL_CONFIG, encoding="utf-8")
    return tmp_path


@pytest.fixture
def http_server(workdir: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "TICKET_BRIDGE_CONFIG": str(workdir / "ticket-bridge.toml"),
        "TICKET_BRIDGE_MCP_TOKEN": SECRET,
    }
    proc = subprocess.Popen(
        [*bridge_command(), "mcp", "--http", "127.0.0.1:0"],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "serving http://127.0.0.1:" in line, line
    try:
        yield line.split("serving ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stderr.close()


def test_streamable_http_with_a_bearer_token(http_server: str) -> None:
    async def scenario() -> None:
        headers = {"Authorization": f"Bearer {SECRET}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(streamable_http_client(http_server, http_client=http)) as client,
        ):
            names = {t.name for t in (await client.list_tools()).tools}
            assert {"create_ticket", "ready_work", "sync"} <= names
            made = await client.call_tool("create_ticket", {"title": "Over HTTP"})
            assert not made.is_error
            ticket = made.structured_content["ticket"]  # type: ignore[index]
            got = await client.call_tool("get_ticket", {"ticket_id": ticket["id"]})
            assert got.structured_content["ticket"]["title"] == "Over HTTP"  # type: ignore[index]
        async with httpx2.AsyncClient(timeout=30) as bare:
            hello = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
            refused = await bare.post(http_server, json=hello)
            assert refused.status_code == 401
            wrong = await bare.post(
                http_server, json=hello, headers={"Authorization": "Bearer nope"}
            )
            assert wrong.status_code == 401
            assert SECRET not in wrong.text

    anyio.run(scenario)


def test_listening_beyond_loopback_needs_a_token(workdir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TICKET_BRIDGE_MCP_TOKEN"}
    env["TICKET_BRIDGE_CONFIG"] = str(workdir / "ticket-bridge.toml")
    done = subprocess.run(
        [*bridge_command(), "mcp", "--http", "0.0.0.0:8765"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: --http 0.0.0.0: listening beyond this machine")
    assert "TICKET_BRIDGE_MCP_TOKEN" in lines[0]


def test_concurrent_calls_on_one_session(workdir: Path) -> None:
    async def scenario() -> None:
        async with session(workdir) as client:
            made: list[dict[str, Any]] = []

            async def create(n: int) -> None:
                made.append(await client.call("create_ticket", title=f"Task {n}", priority="high"))

            async def read() -> None:
                page = await client.call("list_tickets", limit=5)
                assert page["count"] <= 5

            async with anyio.create_task_group() as group:
                for n in range(24):
                    group.start_soon(create, n)
                    group.start_soon(read)
            ids = [m["ticket"]["id"] for m in made]
            assert len(set(ids)) == 24
            listed = await client.call("list_tickets", limit=500)
            assert sorted(t.split()[0] for t in listed["tickets"]) == sorted(ids)
            async with anyio.create_task_group() as group:
                for ticket_id in ids:
                    group.start_soon(
                        lambda i: client.call("close_ticket", ticket_id=i, resolution="done"),
                        ticket_id,
                    )
            assert (await client.call("ready_work"))["tickets"] == []

    anyio.run(scenario)


def test_the_cli_loads_the_sdk_only_for_mcp() -> None:
    code = (
        "import sys; from bridge.cli import build_parser; "
        "build_parser().parse_args(['list']); "
        "print([m for m in sys.modules if m.split('.')[0] in "
        "('mcp', 'mcp_types', 'starlette', 'uvicorn')])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout.replace("'", '"')) == []


def test_http_addresses() -> None:
    assert parse_http("127.0.0.1:8765") == ("127.0.0.1", 8765)
    assert parse_http(":8765") == ("127.0.0.1", 8765)
    assert parse_http("8765") == ("127.0.0.1", 8765)
    assert parse_http("[::1]:9000") == ("::1", 9000)
    with pytest.raises(InvalidError, match="expected HOST:PORT"):
        parse_http("localhost:http")
    assert is_loopback("localhost")
    assert is_loopback("127.0.0.2")
    assert is_loopback("::1")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("example.internal")


def test_secrets_never_reach_a_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.local_json import LocalJsonService

    monkeypatch.setenv("MY_GITHUB_TOKEN", "ghp_secretvalue123")
    monkeypatch.setenv("ONCALL_URL", "https://hooks.example/secret-path")
    config = parse_config(
        {
            "bridge": {"tracker": "local"},
            "trackers": {
                "local": {"type": "local_json", "path": str(tmp_path / "store")},
                "gh": {"type": "github", "repo": "o/r", "token_env": "MY_GITHUB_TOKEN"},
            },
            "notify": {"webhooks": [{"name": "oncall", "url_env": "ONCALL_URL"}]},
        }
    )
    ctx = ToolContext(Bridge(config=config, service=LocalJsonService(tmp_path / "store")))
    try:
        text = ctx.fail("401 for token ghp_secretvalue123 at https://hooks.example/secret-path")
        assert str(text) == "401 for token *** at ***"
    finally:
        ctx.close()


def test_without_the_sdk_the_command_says_how_to_get_it(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bridge.mcp
    from bridge.cli import main

    for name in [m for m in sys.modules if m.split(".")[0] == "mcp"] or ["mcp"]:
        monkeypatch.setitem(sys.modules, name, None)  # as if it were not installed
    for name in [m for m in sys.modules if m.startswith("bridge.mcp.")]:
        if name != "bridge.mcp.commands":
            monkeypatch.delitem(sys.modules, name)
    for attribute in ("server", "context", "tickets", "workflow", "http"):
        monkeypatch.delattr(bridge.mcp, attribute, raising=False)
    assert main(["--config", str(workdir / "ticket-bridge.toml"), "mcp"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "error: ticket-bridge mcp needs the MCP SDK: pip install 'ticket-bridge[mcp]'"

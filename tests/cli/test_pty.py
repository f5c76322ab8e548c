"""``list`` on a pseudo-terminal draws a coloured table; piped it writes no escape code;
``--json`` parses; and rich is imported only when it draws."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.conftest import program, program_env

ESC = "\x1b["


def _store(tmp_path: Path) -> None:
    for argv in (
        ["create", "Outage in the login service", "-p", "critical", "-a", "ops"],
        ["create", "Polish the docs", "-p", "low"],
    ):
        assert program(tmp_path, *argv).returncode == 0


def _on_pty(cwd: Path, *argv: str, **env: str) -> tuple[int, str]:
    """Run ``python -m bridge ARGV`` with stdout and stderr on a pseudo-terminal; read
    until EOF (the child closed it), with a deadline."""
    leader, follower = pty.openpty()
    os.set_blocking(leader, False)
    environment = program_env(COLUMNS="100", LINES="40", TERM="xterm-256color")
    environment.pop("NO_COLOR", None)
    environment.update(env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bridge", *argv],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], deadline - time.monotonic())
        if not ready:
            continue
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    code = proc.wait(timeout=30)
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_list_on_a_terminal_is_a_coloured_table(tmp_path: Path) -> None:
    _store(tmp_path)
    code, out = _on_pty(tmp_path, "list")
    assert code == 0, out
    assert ESC in out
    assert "\x1b[1;31mcritical" in out  # critical: bold red
    assert "\x1b[2mlow" in out  # low: dim
    assert "Outage in the login service" in out
    assert "ID" in out
    assert "TITLE" in out


def test_terminal_width_is_respected(tmp_path: Path) -> None:
    assert program(tmp_path, "create", "A title " + "very " * 40 + "long").returncode == 0
    code, out = _on_pty(tmp_path, "list", COLUMNS="60")
    assert code == 0
    plain = _strip(out)
    assert max(len(line) for line in plain.splitlines()) <= 60
    assert "…" in plain


def _strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text).replace("\r", "")


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_colour_when_asked_not_to(tmp_path: Path, env: dict[str, str]) -> None:
    _store(tmp_path)
    code, out = _on_pty(tmp_path, "list", **env)
    assert code == 0
    assert ESC not in out
    assert "critical" in out


def test_piped_list_has_no_escape_codes_and_json_parses(tmp_path: Path) -> None:
    _store(tmp_path)
    piped = program(tmp_path, "list")
    assert piped.returncode == 0
    assert "\x1b" not in piped.stdout + piped.stderr
    assert piped.stdout.splitlines()[0].split() == [
        "ID", "STATUS", "PRIORITY", "TYPE", "ASSIGNEE", "TITLE"
    ]  # fmt: skip
    code, out = _on_pty(tmp_path, "list", "--json")
    assert code == 0
    assert ESC not in out
    assert len(json.loads(out)["tickets"]) == 2


def _imports(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}


def test_rich_is_imported_only_to_draw(tmp_path: Path) -> None:
    _store(tmp_path)
    for argv in (["list"], ["list", "--json"], ["--json", "show", "x"]):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "bridge", *argv],
            cwd=tmp_path,
            env=program_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert "rich" not in _imports(result), argv
        assert "argcomplete" not in _imports(result), argv
    code, out = _on_pty(tmp_path, "list", PYTHONPROFILEIMPORTTIME="1")
    assert code == 0
    assert "rich.console" in out  # on a terminal it does draw with rich

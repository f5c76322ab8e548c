"""Every ``sh`` and ``python`` block of README.md runs, each in a new temporary directory.

The conventions (CONTRIBUTING.md says the same):

- The first two blocks are the set-up commands (they make venvs); they are checked to be
  there, first, and are not run here: CI runs their equivalent (``.ci/run`` installs the
  project in a fresh venv, runs the tests, and runs ``ticket-bridge demo`` from the wheel).
- A block's tag says what it is: ``sh`` and ``python`` run; output (``console``),
  configuration (``toml``, ``json``) and diagrams (no tag) are shown only.
- ``$NAME`` in a shell block (upper case, not assigned in the block) is a placeholder for a
  ticket id: a ticket is created in the directory's local store and its id put in
  ``$NAME`` before the block runs.
- A Python block that defines ``test_`` functions or ``Test`` classes runs under pytest; a
  first line ``# path/to/file.py`` names its file. ``my_tracker`` (the adapter a reader
  writes) is importable, as the forty-line memory adapter of tests/contract/test_memory.py.
- An HTML comment before a block changes how it runs: ``<!-- readme-test: setup -->`` for
  install steps (only ``pip install`` and ``export`` lines; not run, CI installs every
  extra); ``<!-- readme-test: needs-tracker -->`` runs it with ``ticket-bridge.toml`` naming
  ``github`` and ``jira`` trackers served by the loopback fakes; ``<!-- readme-test:
  server -->`` starts each line, which must exit 0 or say it is serving (then it is
  stopped); ``<!-- readme-test: in-repo -->`` runs it in the repository's root.
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
STUBS = Path(__file__).resolve().parent / "readme_stubs"
SETUP = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && ticket-bridge demo",
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]' "
    "&& python -m pytest -n 2",
)
_BLOCK = re.compile(
    r"(?:^<!--\s*readme-test:\s*(?P<mark>[\w-]+)\s*-->\n)?^```(?P<tag>[\w-]*)\n(?P<body>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)
_MARKS = {"", "setup", "needs-tracker", "server", "in-repo"}
_PLACEHOLDER = re.compile(r"\$([A-Z][A-Z0-9_]*)\b")


@dataclass(frozen=True)
class Block:
    line: int
    tag: str
    mark: str
    body: str


def blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    return [
        Block(text.count("\n", 0, m.start("tag")) + 1, m["tag"], m["mark"] or "", m["body"])
        for m in _BLOCK.finditer(text)
    ]


def _runnable() -> list[Block]:
    return [b for b in blocks()[2:] if b.tag in ("sh", "python") and b.mark != "setup"]


def test_readme_starts_with_its_two_setup_commands() -> None:
    first, second = blocks()[:2]
    assert (first.tag, first.body.strip()) == ("sh", SETUP[0])
    assert (second.tag, second.body.strip()) == ("sh", SETUP[1])


def test_marks_are_known_and_setup_blocks_only_install() -> None:
    for block in blocks():
        assert block.mark in _MARKS, f"README.md:{block.line}: unknown mark {block.mark!r}"
        if block.mark == "setup":
            for line in block.body.splitlines():
                assert line.startswith(("pip install ", "export ", "#")), line


def test_there_are_examples_of_each_kind() -> None:
    kinds = {(b.tag, b.mark) for b in _runnable()}
    assert {("sh", ""), ("python", ""), ("sh", "needs-tracker"), ("sh", "server")} <= kinds


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join([str(STUBS), str(ROOT)])
    for name in ("TICKET_BRIDGE_CONFIG", "NO_COLOR", "PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    return env


def _placeholders(block: Block, cwd: Path) -> dict[str, str]:
    assigned = set(re.findall(r"\b([A-Z][A-Z0-9_]*)=", block.body))
    names = sorted(set(_PLACEHOLDER.findall(block.body)) - assigned)
    if not names:
        return {}
    from adapters.local_json import LocalJsonService

    with LocalJsonService(cwd / ".tickets") as service:
        return {name: service.create_ticket(f"placeholder {name}").id for name in names}


def _check(result: subprocess.CompletedProcess[str], block: Block) -> None:
    assert result.returncode == 0, (
        f"README.md:{block.line} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr, result.stderr


def _run_shell(block: Block, cwd: Path, env: dict[str, str]) -> None:
    env = {**env, **_placeholders(block, cwd)}
    script = "set -euo pipefail\n" + block.body
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    _check(result, block)


def _run_python(block: Block, cwd: Path, env: dict[str, str]) -> None:
    first = block.body.splitlines()[0]
    is_test = re.search(r"^(def test_|class Test)", block.body, re.MULTILINE)
    name = first[2:].strip() if re.fullmatch(r"# [\w/.-]+\.py", first) else "example.py"
    if is_test and not Path(name).name.startswith("test_"):
        name = "test_example.py"
    path = cwd / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.body, encoding="utf-8")
    command = (
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", name]
        if is_test
        else [sys.executable, name]
    )
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    _check(result, block)


def _serve(block: Block, cwd: Path, env: dict[str, str]) -> None:
    """Each line: it exits 0 (stdin closed) or says it is serving, within 60 s."""
    for line in block.body.splitlines():
        command = line.split("#")[0].strip()
        if not command:
            continue
        command = re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{_free_port()}", command)
        proc = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        with proc:
            said = _until_serving(proc)
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
                assert "serving" in said, f"README.md:{block.line}: {command}: {said}"
            else:
                assert proc.returncode == 0, f"README.md:{block.line}: {command}: {said}"


def _free_port() -> int:
    """A port nothing listens on now (the README's example port may be taken here)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _until_serving(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    said = ""
    deadline = time.monotonic() + 60
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline and "serving" not in said:
            if not sel.select(timeout=deadline - time.monotonic()):
                break
            line = proc.stdout.readline()
            if not line:  # EOF: it has exited
                proc.wait(timeout=30)
                break
            said += line
    return said


def _with_trackers(cwd: Path) -> tuple[dict[str, str], list[object]]:
    """``ticket-bridge.toml`` naming the GitHub and Jira fakes, and their secrets."""
    from tests.fakes.github_fake import start_github_fake
    from tests.fakes.jira_fake import start_jira_fake

    github, _ = start_github_fake()
    jira, _ = start_jira_fake("cloud")
    (cwd / "ticket-bridge.toml").write_text(
        '[bridge]\ntracker = "local"\n'
        '[trackers.local]\ntype = "local_json"\npath = ".tickets"\n'
        f'[trackers.github]\ntype = "github"\nrepo = "octo/tickets"\n'
        f'base_url = "{github.url}/api/v3"\n'
        "seconds_between_requests = 0\nseconds_between_writes = 0\n"
        f'[trackers.jira]\ntype = "jira"\nserver = "{jira.url}"\nproject = "TB"\n'
        "[retry]\nattempts = 2\ninitial_wait = 0\nmax_wait = 0.01\n",
        encoding="utf-8",
    )
    secrets = {"GITHUB_TOKEN": "t0ken", "JIRA_EMAIL": "bot@example.com", "JIRA_API_TOKEN": "t0k"}
    return secrets, [github, jira]


@pytest.mark.parametrize("block", _runnable(), ids=lambda b: f"README.md:{b.line}")
def test_readme_example_runs(block: Block, tmp_path: Path) -> None:
    cwd = ROOT if block.mark == "in-repo" else tmp_path
    servers: list[object] = []
    extra: dict[str, str] = {}
    if block.mark == "needs-tracker":
        extra, servers = _with_trackers(tmp_path)
    env = _env(**extra)
    try:
        if block.mark == "server":
            _serve(block, cwd, env)
        elif block.tag == "sh":
            _run_shell(block, cwd, env)
        else:
            _run_python(block, cwd, env)
    finally:
        for server in servers:
            server.stop()  # type: ignore[attr-defined]

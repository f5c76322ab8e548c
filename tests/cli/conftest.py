"""The command line as a person meets it: in an empty directory, in-process or as a program."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bridge.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``main(argv)`` in an empty directory; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TICKET_BRIDGE_CONFIG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    scratch = tmp_path / "scratch"  # the demo's temporary stores go here, not to /tmp
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def program_env(**extra: str) -> dict[str, str]:
    """The environment of ``python -m bridge`` run from the source tree."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    env.pop("TICKET_BRIDGE_CONFIG", None)
    return env


def program(cwd: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m bridge ARGV`` as a separate process, piped."""
    return subprocess.run(
        [sys.executable, "-m", "bridge", *argv],
        cwd=cwd,
        env=program_env(**env),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

"""Fixtures of the GitHub tests: the fake, and the CLI pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adapters.github import GitHubService
from tests.contract.test_github import github_service
from tests.fakes.base import FakeServer
from tests.fakes.github_fake import GitHubFakeApp, start_github_fake

CliRun = Callable[..., tuple[int, str, str]]


@pytest.fixture
def fake() -> Iterator[tuple[FakeServer, GitHubFakeApp]]:
    server, app = start_github_fake()
    yield server, app
    server.stop()


@pytest.fixture
def gh(fake: tuple[FakeServer, GitHubFakeApp]) -> Iterator[GitHubService]:
    """The adapter's service pointed at the fake, with the default configuration."""
    service = github_service(fake[0].url)
    yield service
    service.close()


@pytest.fixture
def github_cli(
    fake: tuple[FakeServer, GitHubFakeApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> CliRun:
    """``bridge.cli.main`` with a config whose tracker is the fake; returns (code, out, err)."""
    from bridge.cli import main

    server, _ = fake
    config = tmp_path / "ticket-bridge.toml"
    config.write_text(
        f"""
[bridge]
tracker = "gh"

[fallback]
enabled = false

[trackers.gh]
type = "github"
repo = "octo/tickets"
base_url = "{server.url}/api/v3"
seconds_between_requests = 0
seconds_between_writes = 0
"""
    )
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TICKET_BRIDGE_CONFIG", raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--config", str(config), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run

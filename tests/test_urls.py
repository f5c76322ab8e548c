"""A tracker's base URL in a config: what is refused, with the reason, at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters._urls import check_base_url
from adapters.jira import JiraConfig
from bridge.config import load_config
from bridge.errors import ConfigError


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://exa mple com", "spaces"),
        (" https://example.com", "spaces"),
        ("example.com", "http:// or https://"),
        ("ftp://example.com", "http:// or https://"),
        ("https://", "no valid host"),
        ("https://exa_mple.com", "no valid host"),
        ("https://bot:s3cret@example.com", "user or password"),
        ("https://example.com/?x=1", "query or fragment"),
        ("https://example.com:99999", "not a URL"),
    ],
)
def test_a_bad_base_url_is_refused_with_its_reason(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_base_url(url, "server")


@pytest.mark.parametrize(
    "url",
    [
        "https://your-site.atlassian.net/",
        "http://127.0.0.1:8080/jira",
        "https://[::1]:8443",
        "https://ghe.example.com/api/v3",
    ],
)
def test_a_good_base_url_loses_only_its_trailing_slash(url: str) -> None:
    assert check_base_url(url, "server") == url.rstrip("/")


def test_the_configs_check_their_urls_and_never_echo_a_password(tmp_path: Path) -> None:
    """At load: one line naming the key and the reason; the password is not repeated."""
    config = tmp_path / "ticket-bridge.toml"
    config.write_text(
        '[bridge]\ntracker = "gh"\n[trackers.gh]\ntype = "github"\nrepo = "o/r"\n'
        'base_url = "https://bot:hunter2@ghe.example.com"\n'
    )
    with pytest.raises(ConfigError, match="base_url must not hold a user or password") as info:
        load_config(config)
    assert "hunter2" not in str(info.value)
    assert "***@ghe.example.com" in str(info.value)
    with pytest.raises(ValueError, match="spaces"):
        JiraConfig(server="https://exa mple com", project="ABC")

"""Configuration discovery, validation messages and the adapter registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.local_json import LocalJsonAdapter
from bridge import get_ticketing_service
from bridge.config import load_config
from bridge.errors import ConfigError
from bridge.factory import build_service
from bridge.registry import adapter_class, available_types
from bridge.service import TicketingService

EXAMPLE = Path(__file__).parent.parent / "bridge" / "config.example.toml"


def test_no_config_means_a_local_store_in_dot_tickets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing configured the service is a local store in ./.tickets."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TICKET_BRIDGE_CONFIG", raising=False)
    adapter = build_service(load_config()).adapter
    assert isinstance(adapter, LocalJsonAdapter)
    assert adapter.root == tmp_path / ".tickets"
    assert adapter.id_prefix == "CLAUDE"


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--config beats $TICKET_BRIDGE_CONFIG, which beats ./ticket-bridge.toml."""
    monkeypatch.chdir(tmp_path)
    for name in ("explicit", "env", "cwd"):
        (tmp_path / f"{name}.toml").write_text(
            f'[trackers.local]\ntype = "local_json"\npath = "{name}-store"\nid_prefix = "X"\n'
        )
    (tmp_path / "ticket-bridge.toml").write_text((tmp_path / "cwd.toml").read_text())
    monkeypatch.setenv("TICKET_BRIDGE_CONFIG", str(tmp_path / "env.toml"))
    assert load_config(tmp_path / "explicit.toml").source == tmp_path / "explicit.toml"
    assert load_config().source == tmp_path / "env.toml"
    monkeypatch.delenv("TICKET_BRIDGE_CONFIG")
    config = load_config()
    assert config.source == tmp_path / "ticket-bridge.toml"
    adapter = build_service(config).adapter
    assert isinstance(adapter, LocalJsonAdapter)
    assert adapter.root == tmp_path / "cwd-store"


def test_store_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    """A relative store path is taken from the config file's directory, not the cwd."""
    sub = tmp_path / "proj"
    sub.mkdir()
    (sub / "tb.toml").write_text('[trackers.local]\ntype = "local_json"\npath = "t"\n')
    adapter = build_service(load_config(sub / "tb.toml")).adapter
    assert isinstance(adapter, LocalJsonAdapter)
    assert adapter.root == sub / "t"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[retry]\nattempts = 0\n", "retry.attempts"),
        ("[bridge]\ntracker = 'nope'\n", "trackers.nope"),
        ("[trackers.local]\ntype = 'local_json'\nid_prefx = 'X'\n", "trackers.local.id_prefx"),
        ("[trackers.local]\ntype = 'local_json'\nid_prefix = 'a b'\n", "trackers.local.id_prefix"),
        ("[trackers.local]\ntype = 'carrier_pigeon'\n", "carrier_pigeon"),
        ("[bridge\n", "not valid TOML"),
        ("[retyr]\n", "retyr: unknown key"),
    ],
)
def test_bad_config_names_file_key_and_expectation(
    tmp_path: Path, text: str, expected: str
) -> None:
    """Every config error names the file and the offending key or value."""
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        build_service(load_config(path))
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    """An explicit path that does not exist is reported, not silently replaced."""
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")


def test_example_config_validates(tmp_path: Path) -> None:
    """The shipped example parses, and every section passes its own model."""
    from bridge.notify import NotifySettings
    from bridge.workflows import WorkflowSettings

    config = load_config(EXAMPLE)
    assert config.bridge.tracker == "local"
    assert set(config.trackers) >= {"local", "github", "jira"}
    assert config.retry.attempts == 3
    for section in config.trackers.values():
        assert isinstance(section, adapter_class(section.type).Config)  # type: ignore[attr-defined]
    assert isinstance(config.workflows, WorkflowSettings)
    assert config.workflows.max_open == 3
    assert isinstance(config.notify, NotifySettings)
    [hook] = config.notify.webhooks
    assert hook.url_env == "ONCALL_WEBHOOK_URL"


def test_get_instance_is_the_process_wide_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """get_ticketing_service() and TicketingService.get_instance() are the same object."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TICKET_BRIDGE_CONFIG", raising=False)
    TicketingService.reset_instance()
    try:
        assert get_ticketing_service() is TicketingService.get_instance()
    finally:
        TicketingService.reset_instance()


def test_registry_knows_the_builtin_types() -> None:
    """The three built-in adapter types are listed; an unknown one is a clear error."""
    assert {"local_json", "github", "jira"} <= set(available_types())
    assert adapter_class("local_json") is LocalJsonAdapter
    with pytest.raises(ConfigError, match="unknown tracker type 'nope'"):
        adapter_class("nope")


def test_missing_extra_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the jira library the error says which extra to install."""
    import importlib

    from bridge import registry
    from bridge.errors import UnsupportedError

    real = importlib.import_module

    def no_jira(name: str, *args: object) -> object:
        if name == "adapters.jira._adapter":
            raise ModuleNotFoundError("No module named 'jira'", name="jira")
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(registry.importlib, "import_module", no_jira)
    with pytest.raises(UnsupportedError, match=r"pip install 'ticket-bridge\[jira\]'"):
        adapter_class("jira")


def test_third_party_adapters_come_from_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    """An adapter type registered in the ticket_bridge.adapters group is found by name."""
    from importlib import metadata

    point = metadata.EntryPoint(
        name="carrier_pigeon",
        value="adapters.local_json:LocalJsonAdapter",
        group="ticket_bridge.adapters",
    )

    def entry_points(**select: str) -> list[metadata.EntryPoint]:
        wanted = select.get("name")
        return [point] if wanted in (None, "carrier_pigeon") else []

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    assert adapter_class("carrier_pigeon") is LocalJsonAdapter
    assert "carrier_pigeon" in available_types()

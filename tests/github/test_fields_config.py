"""``priority_field``, ``priority_values`` and ``field_map`` are checked when the file loads."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.config import parse_config
from bridge.errors import ConfigError


def _load(**github: Any) -> Any:
    section = {"type": "github", "repo": "octo/tickets", **github}
    raw = {"bridge": {"tracker": "gh"}, "fallback": {"enabled": False}, "trackers": {"gh": section}}
    return parse_config(raw).trackers["gh"]


def test_defaults_keep_labels() -> None:
    """Off by default; the value map is GitHub's default Priority options."""
    config = _load()
    assert config.priority_field is None
    assert config.field_map == {}
    assert {p.value: o for p, o in config.priority_values.items()} == {
        "critical": "Urgent",
        "high": "High",
        "medium": "Medium",
        "low": "Low",
    }


def test_a_configured_field_and_map_load() -> None:
    """The documented form: a field name, a metadata key -> field name map."""
    config = _load(
        priority_field="Priority", field_map={"estimate_hours": "Effort", "due": "Target date"}
    )
    assert (config.priority_field, config.field_map["due"]) == ("Priority", "Target date")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"priority_field": " "}, "priority_field must name an issue field"),
        ({"priority_values": {"high": "High"}}, "must name an option for low, medium, critical"),
        (
            {"priority_values": {"critical": "P", "high": "P", "medium": "M", "low": "L"}},
            "both map to 'P'",
        ),
        ({"priority_values": {"urgent": "U"}}, "priority_values"),
        ({"field_map": {"a": "Effort", "b": "Effort"}}, "both map to the field 'Effort'"),
        ({"field_map": {"": "Effort"}}, "must not be empty"),
        (
            {"priority_field": "Priority", "field_map": {"p": "Priority"}},
            "which priority_field already uses",
        ),
    ],
)
def test_bad_settings_are_one_clear_error(settings: dict[str, Any], message: str) -> None:
    """Each mistake is a ConfigError naming it, at load."""
    with pytest.raises(ConfigError, match=message):
        _load(**settings)


def test_the_example_lines_load() -> None:
    """The commented settings of ``config.example.toml``, switched on, load as documented."""
    import tomllib
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    keys = ("priority_field", "priority_values", "field_map", "use_issue_types")
    text = example.read_text()
    section = text[text.index("[trackers.github]") :]
    section = section[: section.index("\n[", 1)]  # up to the next section
    lines = [
        line.removeprefix("# ").split("  #")[0]
        for line in section.splitlines()
        if line.startswith("# ") and line[2:].split(" ")[0] in keys
    ]
    assert len(lines) == len(keys)
    config = _load(**tomllib.loads("\n".join(lines)))
    assert config.priority_field == "Priority"
    assert config.field_map == {"estimate_hours": "Effort", "due": "Target date"}
    assert config.use_issue_types is True

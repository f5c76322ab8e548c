"""The local store's own configuration section: bad values refused at load, by file, key
and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.config import load_config
from bridge.errors import ConfigError


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('lock_timeout = "30"', "lock_timeout: Input should be a valid number"),
        ("lock_timeout = inf", "lock_timeout: Input should be a finite number"),
        ("lock_timeout = nan", "lock_timeout"),
        ("lock_timeout = -1", "lock_timeout: Input should be greater than 0"),
        ('durable = "yes"', "durable: Input should be a valid boolean"),
        ("durable = 1", "durable: Input should be a valid boolean"),
        ('id_prefix = "1x"', "id_prefix: id_prefix must be 1-20 letters"),
        ("id_prefix = 5", "id_prefix: Input should be a valid string"),
        ('path = ""', "path: path must name a directory"),
        ('path = "a\\u0000b"', "path: path must name a directory"),
        ("colour = 1", "colour: unknown key"),
    ],
)
def test_bad_values_are_refused_at_load(tmp_path: Path, line: str, reason: str) -> None:
    config = tmp_path / "tb.toml"
    config.write_text(f'[trackers.local]\ntype = "local_json"\n{line}\n')
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert str(config) in str(info.value)
    assert f"trackers.local.{reason}" in str(info.value)


def test_good_values_load(tmp_path: Path) -> None:
    config = tmp_path / "tb.toml"
    config.write_text(
        '[trackers.local]\ntype = "local_json"\npath = "s"\nlock_timeout = 5\ndurable = true\n'
    )
    _, section = load_config(config).tracker_section("local")
    assert section.model_dump()["lock_timeout"] == 5.0

"""The wheel holds what the program refers to: the licence and the example configuration
that ``ticket-bridge init --example`` writes (CI also installs it in a fresh venv and runs
``--version`` and ``demo`` from it: .ci/run)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.cli.conftest import ROOT


@pytest.mark.slow
def test_f08_wheel_holds_license_and_example_config(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("ticket_bridge-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
    assert "bridge/config.example.toml" in names
    shipped = zipfile.ZipFile(wheel).read("bridge/config.example.toml").decode()
    assert shipped == (ROOT / "config.example.toml").read_text(encoding="utf-8")

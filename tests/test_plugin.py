"""The ``ticket_service`` fixture works in another project with no configuration, and the
test kit stays out of ``import bridge``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import bridge.pytest_plugin
import bridge.testing

CONSUMER = Path(__file__).parent / "consumer_project"


def test_consumer_project_uses_the_fixture(tmp_path: Path) -> None:
    """A separate test directory gets ``ticket_service`` through the pytest11 entry point."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop("TICKET_BRIDGE_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", str(CONSUMER)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    assert not (tmp_path / ".tickets").exists()


def test_the_plugin_serves_the_kits_fixture() -> None:
    """The entry point's module re-exports ``bridge.testing.ticket_service``, nothing else."""
    assert bridge.pytest_plugin.ticket_service is bridge.testing.ticket_service
    assert bridge.pytest_plugin.__all__ == ["ticket_service"]


def test_importing_bridge_imports_neither_pytest_nor_the_kit() -> None:
    """pytest stays a test-only dependency: ``import bridge`` loads neither it nor the kit."""
    code = (
        "import sys, bridge, bridge.factory, adapters.local_json;"
        "print(','.join(m for m in ('pytest', 'bridge.testing') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""

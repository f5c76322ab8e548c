"""The ``ticket_service`` fixture works in another project with no configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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

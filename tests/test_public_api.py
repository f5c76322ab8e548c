"""The curated public API of ``bridge``."""

from __future__ import annotations

import subprocess
import sys

import bridge


def test_all_is_sorted_and_resolves() -> None:
    """``bridge.__all__`` is sorted and every name exists."""
    assert list(bridge.__all__) == sorted(bridge.__all__)
    for name in bridge.__all__:
        assert getattr(bridge, name) is not None


def test_importing_bridge_imports_no_tracker_library() -> None:
    """``import bridge`` and the local store pull in neither PyGithub, jira nor httpx."""
    code = (
        "import sys, bridge, bridge.cli, adapters.local_json;"
        "bad = [m for m in ('github', 'jira', 'httpx', 'requests') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""

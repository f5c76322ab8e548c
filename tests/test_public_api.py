"""The curated public API of ``bridge``."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import types

import bridge
from bridge import _version

# The public API, pinned: adding or removing a name is a deliberate change to this list too.
EXPECTED_ALL = [
    "Adapter",
    "AgentDelegationContext",
    "AuthError",
    "Bridge",
    "BridgeError",
    "Capabilities",
    "ChangeFeed",
    "Comment",
    "ConfigError",
    "ConflictError",
    "CorruptDataError",
    "InvalidError",
    "NotFoundError",
    "PMOrchestrator",
    "PermanentError",
    "Priority",
    "RateLimitedError",
    "Status",
    "Ticket",
    "TicketChanges",
    "TicketDraft",
    "TicketPage",
    "TicketQuery",
    "TicketType",
    "TicketingHelper",
    "TicketingService",
    "TrackerRef",
    "TrackerTimeoutError",
    "TransientError",
    "UnavailableError",
    "UnsupportedError",
    "build_bridge",
    "create_phased_ticket",
    "delegate_to_available_agent",
    "get_agent_availability",
    "get_feature_progress",
    "get_ticketing_service",
    "handle_production_emergency",
    "load_config",
    "track_agent_progress",
    "update_progress",
]

# Names a module has for its own workings, never exported: the ``from __future__`` feature
# and the flag of type-checking-only imports.
PLUMBING = {"annotations", "TYPE_CHECKING"}

# Imported by ``import bridge`` only on demand: the PM layer, notifications, sync and the
# tracker and HTTP libraries behind them.
HEAVY = ("bridge.workflows", "bridge.notify", "bridge.sync", "github", "jira", "httpx")


def public_names(module: types.ModuleType) -> set[str]:
    """The names a user finds on ``module`` that look public: no underscore, not a module.

    Submodules are left out (``bridge.models`` is reached as a module, not an export), as are
    modules imported for the package's own use and :data:`PLUMBING`.
    """
    return {
        name
        for name in dir(module)
        if not name.startswith("_")
        and name not in PLUMBING
        and not isinstance(getattr(module, name), types.ModuleType)
    }


def test_all_is_sorted_and_resolves() -> None:
    """``bridge.__all__`` is sorted, has no repeats and every name exists."""
    assert list(bridge.__all__) == sorted(set(bridge.__all__))
    for name in bridge.__all__:
        assert getattr(bridge, name) is not None


def test_all_is_the_pinned_api() -> None:
    """``bridge.__all__`` is exactly the reviewed list above."""
    assert list(bridge.__all__) == EXPECTED_ALL


def test_every_public_name_is_in_all() -> None:
    """No public name is on ``bridge`` without being in ``__all__``, and none is missing."""
    names = public_names(bridge)
    assert sorted(names - set(bridge.__all__)) == [], "public but not in __all__"
    assert sorted(set(bridge.__all__) - names) == [], "in __all__ but not defined"


def test_star_import_gives_exactly_all() -> None:
    """``from bridge import *`` works in a fresh interpreter and binds ``__all__``."""
    code = (
        "before = set(globals()); from bridge import *; import bridge;"
        "got = set(globals()) - before - {'before', 'bridge'};"
        "print(sorted(got) == sorted(bridge.__all__))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "True"


def test_version_is_declared_once() -> None:
    """``bridge.__version__`` is ``bridge._version``'s, which the installed metadata reports."""
    assert bridge.__version__ == _version.__version__
    assert importlib.metadata.version("ticket-bridge") == _version.__version__


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


def test_importing_bridge_is_light() -> None:
    """``import bridge`` loads no PM layer, notifier, sync engine or tracker/HTTP library."""
    code = (
        "import sys, bridge;"
        f"heavy = {HEAVY!r};"
        "print(','.join(sorted(m for m in sys.modules"
        " if any(m == h or m.startswith(h + '.') for h in heavy))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "", f"import bridge loaded: {out.strip()}"

"""Shared test settings."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from tests.fakes import base, openapi
from tests.fakes.openapi_allow import ALLOWED

# A separate project's tests, run in their own pytest process by tests/test_plugin.py.
collect_ignore_glob = ["consumer_project/*"]

# ------------------------------------------------------------------ every fake is checked
# Each FakeServer checks what it receives and sends against the trackers' OpenAPI
# descriptions (tests/fakes/openapi.py); a violation not in tests/fakes/openapi_allow.py fails
# the test during which it was sent.

_SINCE = pytest.StashKey[dict[int, int]]()
_WORKERS: list[dict[str, Any]] = []


def pytest_configure(config: pytest.Config) -> None:
    try:
        openapi.specs_dir()
    except FileNotFoundError as exc:
        raise pytest.UsageError(str(exc)) from exc
    base.FakeServer.validator = openapi.FakeValidator(background=True)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Load and index both descriptions once, before any test: not in a fake's first answer."""
    if session.items:
        openapi.github()
        openapi.jira()


def _marks() -> dict[int, int]:
    return {id(server): len(server.violations) for server in base.STARTED}


def _new_violations(item: pytest.Item) -> list[str]:
    openapi.drain()
    since = item.stash.get(_SINCE, {})
    found = []
    for server in base.STARTED:
        start = since.get(id(server), 0)
        if start > len(server.violations):  # the test cleared them itself
            start = 0
        found.extend(str(v) for v in server.violations[start:])
    item.stash[_SINCE] = _marks()
    return found


def _fail(found: list[str]) -> None:

    shown = "\n  ".join(found[:20])
    more = f"\n  ... and {len(found) - 20} more" if len(found) > 20 else ""
    pytest.fail(
        f"{len(found)} OpenAPI violation(s) in the fakes' traffic (fix them, or list them in "
        f"tests/fakes/openapi_allow.py with a reason):\n  {shown}{more}",
        pytrace=False,
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    item.stash[_SINCE] = _marks()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    result = yield  # a test that fails on its own keeps its failure; teardown reports the rest
    found = _new_violations(item)
    if found:
        _fail(found)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    try:
        result = yield
    finally:
        found = _new_violations(item)
        # drop stopped servers: what they found is counted, nothing more can come
        base.STARTED[:] = [s for s in base.STARTED if s._thread.is_alive()]
    if found:
        _fail(found)
    return result


# ------------------------------------------------------------------ the closing figures


def pytest_sessionfinish(session: pytest.Session) -> None:
    openapi.drain()
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the counts to the controller
        workeroutput["openapi"] = openapi.summary()
        workeroutput["openapi_used"] = sorted(openapi.used_allowances())
        workeroutput["openapi_distinct"] = sorted(openapi.allowlisted_distinct())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    output = getattr(node, "workeroutput", {})
    if "openapi" in output:
        _WORKERS.append(
            {
                "counts": output["openapi"],
                "used": output.get("openapi_used", []),
                "distinct": [tuple(d) for d in output.get("openapi_distinct", [])],
            }
        )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _WORKERS:
        counts: dict[str, int] = {}
        used: set[int] = set()
        distinct: set[tuple[str, ...]] = set()
        for worker in _WORKERS:
            for key, value in worker["counts"].items():
                counts[key] = counts.get(key, 0) + value
            used |= set(worker["used"])
            distinct |= set(worker["distinct"])
    else:
        counts = openapi.summary()
        used = openapi.used_allowances()
        distinct = set(openapi.allowlisted_distinct())
    if not counts.get("requests_checked"):
        return
    counts["allowances_used"] = len(used)
    counts["allowances"] = len(ALLOWED)
    counts["allowlisted_distinct"] = len(distinct)
    terminalreporter.write_sep("-", "OpenAPI checks of the fakes")
    terminalreporter.write_line(
        "requests checked {requests_checked}, responses checked {responses_checked} "
        "(+{responses_unchecked} undeclared errors, not judged), violations {violations}, "
        "allowlisted {allowlisted} ({allowlisted_distinct} distinct, by {allowances_used} of "
        "the allowlist's {allowances} entries); {checking_ms} ms checking".format(**counts)
    )
    unused = [a for i, a in enumerate(ALLOWED) if i not in used]
    if unused:  # in a full run, these no longer happen: take them out of the list
        terminalreporter.write_line("allowlist entries that covered nothing in this run:")
        for allowed in unused:
            terminalreporter.write_line(f"  {allowed.where}: {allowed.reason}")

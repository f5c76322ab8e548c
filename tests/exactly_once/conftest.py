"""Hypothesis profiles for the exactly-once machines.

``ci`` (the default): fixed seeds (``derandomize``), no example database, 100 examples per
test and three tests per backend (300 examples each), one failure shrunk per test.
``TB_HYPOTHESIS=long`` runs ten times as many examples from fresh random seeds, to run by
hand::

    TB_HYPOTHESIS=long python -m pytest -q tests/exactly_once -n 2
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=100,
    suppress_health_check=_QUIET,
    phases=_PHASES,
    report_multiple_bugs=False,
    print_blob=False,
)
settings.register_profile(
    "long",
    derandomize=False,
    deadline=None,
    max_examples=1000,
    suppress_health_check=_QUIET,
    print_blob=True,
)
settings.load_profile(os.environ.get("TB_HYPOTHESIS") or "ci")


def _workers(config: pytest.Config) -> int:
    value = getattr(config.option, "numprocesses", None)
    return value if isinstance(value, int) else 0


def _machine_cost(item: pytest.Item) -> tuple[int, str]:
    """The loopback fakes cost more per example than the local double."""
    name = item.nodeid
    return (0 if "test_jira" in name else 1 if "test_github" in name else 2, name)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """With ``-n N`` on this directory, an idle worker takes queued tests from a busy one
    (xdist's ``worksteal``): the machine tests run for very different times."""
    from xdist.scheduler import WorkStealingScheduling

    return WorkStealingScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Spread the machine tests over the workers of ``-n N``.

    ``worksteal`` gives each worker an equal run of consecutive tests to start with; here
    each run begins with its share of the long machine tests, dealt in turn, and the short
    regression tests after them are what an idle worker takes over.
    """
    workers = _workers(config)
    here = Path(__file__).parent
    if workers < 2 or any(item.path.parent != here for item in items):
        return  # only when these tests run on their own
    machines = sorted((i for i in items if i.path.name != "test_regressions.py"), key=_machine_cost)
    others = [i for i in items if i.path.name == "test_regressions.py"]
    ordered: list[pytest.Item] = []
    for w in range(workers):
        share = machines[w::workers]
        room = len(items) // workers - len(share) if w < workers - 1 else len(others)
        ordered += share + others[: max(room, 0)]
        others = others[max(room, 0) :]
    items[:] = ordered + others

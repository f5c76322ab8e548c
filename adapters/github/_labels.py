"""Label names in both directions: the bridge's namespaces and the user's own labels.

The bridge owns four namespaces of labels: priority (``priority: high``), extended status
(``status: in progress``, ``status: blocked``), type (``type: bug``, unless issue types are
used) and agent (``agent: {}``). An issue carries at most one of each as the bridge writes
it; a person may add another on GitHub. When a namespace holds more than one label:

1. the label a person added wins: the bridge records the namespace labels it last wrote in
   the body's hidden block, so a label that is not among them is the newer one;
2. where that does not decide (an issue the bridge never wrote, or a person added several),
   the most severe priority wins, ``blocked`` wins over ``in progress``, and the first
   type or agent label by name;
3. the losing labels are not shown as user labels (they stay in their namespace); the next
   bridge write of the issue removes them and logs a warning naming them and the winner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from adapters.github._config import GitHubConfig
from bridge.models import Priority, Status, TicketType

__all__ = ["LabelReading", "bridge_labels", "labels_for", "owned_labels", "read_labels"]

T = TypeVar("T")


def bridge_labels(config: GitHubConfig) -> tuple[set[str], str, str]:
    """Every fixed label name the bridge owns, and the agent label's prefix and suffix."""
    owned = {*config.priority_labels.values(), *config.status_labels.values()}
    if not config.use_issue_types:
        owned |= set(config.type_labels.values())
    prefix, _, suffix = config.agent_label.partition("{}")
    return owned, prefix, suffix


def labels_for(
    config: GitHubConfig,
    *,
    user_labels: list[str],
    priority: Priority | None,
    status: Status,
    kind: TicketType,
    assignee: str | None,
) -> list[str]:
    """The full label set of an issue: the user's labels plus the bridge's own (no priority
    label where ``priority`` is ``None``: an issue field holds it)."""
    labels = list(user_labels)
    if priority is not None:
        labels.append(config.priority_labels[priority])
    if status in config.status_labels:
        labels.append(config.status_labels[status])
    if not config.use_issue_types:
        labels.append(config.type_labels[kind])
    if assignee:
        labels.append(config.agent_label.format(assignee))
    return list(dict.fromkeys(labels))


def _agent(name: str, config: GitHubConfig) -> str | None:
    _, prefix, suffix = bridge_labels(config)
    if prefix and name.startswith(prefix) and name.endswith(suffix):
        return name[len(prefix) : len(name) - len(suffix) or None] or None
    return None


def owned_labels(config: GitHubConfig, labels: Iterable[str]) -> list[str]:
    """The labels among ``labels`` that are in one of the bridge's namespaces."""
    fixed, _, _ = bridge_labels(config)
    return [name for name in labels if name in fixed or _agent(name, config) is not None]


@dataclass
class LabelReading:
    """What an issue's labels say."""

    priority: Priority = Priority.MEDIUM
    status: Status = Status.OPEN
    kind: TicketType | None = None
    assignee: str | None = None
    user_labels: list[str] = field(default_factory=list)
    losers: dict[str, str] = field(default_factory=dict)  # a losing label -> the one that won


def _pick(
    found: Sequence[tuple[T, str]],
    written: set[str],
    order: Callable[[tuple[T, str]], tuple[int, str]],
) -> tuple[list[T], dict[str, str]]:
    """The winner of one namespace (none or one), and each losing label with the label
    that beat it."""
    if not found:
        return [], {}
    added = [item for item in found if item[1] not in written]
    winner = min(added or found, key=order)
    return [winner[0]], {name: winner[1] for _, name in found if name != winner[1]}


def _by_name(item: tuple[object, str]) -> tuple[int, str]:
    return 0, item[1]


def _severity(item: tuple[Priority, str]) -> tuple[int, str]:
    return -item[0].rank, item[1]


def read_labels(names: list[str], config: GitHubConfig, written: Iterable[str]) -> LabelReading:
    """Priority, extended status, type, agent and the user's own labels; ``written`` are the
    namespace labels the bridge last wrote (from the body's block)."""
    fixed, _, _ = bridge_labels(config)
    by_priority = {v: k for k, v in config.priority_labels.items()}
    by_status = {v: k for k, v in config.status_labels.items()}
    by_type = {} if config.use_issue_types else {v: k for k, v in config.type_labels.items()}
    priorities: list[tuple[Priority, str]] = []
    statuses: list[tuple[Status, str]] = []
    kinds: list[tuple[TicketType, str]] = []
    agents: list[tuple[str, str]] = []
    reading = LabelReading()
    for name in dict.fromkeys(names):
        if name in by_priority:
            priorities.append((by_priority[name], name))
        elif name in by_status:
            statuses.append((by_status[name], name))
        elif name in by_type:
            kinds.append((by_type[name], name))
        elif (agent := _agent(name, config)) is not None:
            agents.append((agent, name))
        elif name not in fixed:
            reading.user_labels.append(name)
    seen = set(written)
    priority, lost_p = _pick(priorities, seen, _severity)
    status, lost_s = _pick(statuses, seen, lambda item: (item[0] is not Status.BLOCKED, item[1]))
    kind, lost_k = _pick(kinds, seen, _by_name)
    agent_name, lost_a = _pick(agents, seen, _by_name)
    reading.priority = priority[0] if priority else Priority.MEDIUM
    reading.status = status[0] if status else Status.OPEN
    reading.kind = kind[0] if kind else None
    reading.assignee = agent_name[0] if agent_name else None
    reading.losers = {**lost_p, **lost_s, **lost_k, **lost_a}
    return reading

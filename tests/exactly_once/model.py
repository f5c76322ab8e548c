"""The model: the tickets a tracker holds after a run with no fault at all.

Every operation the machines and the chaos bench send is applied here as a fault-free run
would apply it. Tickets are known by a handle (their index) and a unique title, so that the
tracker's state can be compared with the model whatever ids either side gave them.

:func:`compare` reports every difference: a ticket made twice or never, a field or link that
does not say what the model says, a comment lost, doubled or out of order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["DONE", "Diff", "Model", "View", "compare"]

DONE = ("resolved", "closed")


@dataclass(frozen=True)
class View:
    """One ticket as a tracker holds it, links by title; ``notes`` are the resolution notes
    a tracker posts as comments (GitHub), ``None`` where it posts none."""

    title: str
    status: str
    priority: str
    parent: str | None
    deps: tuple[str, ...]
    comments: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] | None = None
    deps_read: tuple[str, ...] | None = None
    """The dependencies as the adapter reads them back, where they are stored twice (GitHub:
    the issue dependencies and the hidden body block)."""


@dataclass
class Expected:
    title: str
    status: str = "open"
    priority: str = "medium"
    parent: int | None = None
    deps: list[int] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)
    resolution: str | None = None
    notes: list[str] = field(default_factory=list)


class Model:
    """The expected tickets, changed by each operation as a fault-free tracker would be."""

    def __init__(self, prefix: str = "T") -> None:
        self.prefix = prefix
        self.tickets: list[Expected] = []

    def __len__(self) -> int:
        return len(self.tickets)

    def title(self, handle: int) -> str:
        return self.tickets[handle].title

    # ------------------------------------------------------------ what may be done

    def top_level(self, handle: int) -> bool:
        """True for a ticket without a parent (it may take subtasks: one level, as on Jira)."""
        return self.tickets[handle].parent is None

    def has_children(self, handle: int) -> bool:
        return any(t.parent == handle for t in self.tickets)

    def may_parent(self, child: int, parent: int) -> bool:
        """``parent`` may become the parent of ``child``: one level of subtasks, no cycle."""
        return (
            child != parent
            and self.top_level(parent)
            and not self.has_children(child)
            and self.tickets[child].parent != parent
        )

    @staticmethod
    def may_depend(ticket: int, on: int) -> bool:
        """Dependencies point at older tickets only, so they never make a cycle."""
        return on < ticket

    # ------------------------------------------------------------ operations

    def create(
        self,
        *,
        priority: str = "medium",
        status: str = "open",
        parent: int | None = None,
        deps: tuple[int, ...] = (),
    ) -> int:
        handle = len(self.tickets)
        self.tickets.append(
            Expected(
                f"{self.prefix}{handle}",
                status=status,
                priority=priority,
                parent=parent,
                deps=list(deps),
            )
        )
        return handle

    def set_status(self, handle: int, status: str) -> None:
        ticket = self.tickets[handle]
        if status not in DONE:
            ticket.resolution = None  # a reopened ticket has no resolution
        ticket.status = status

    def close(self, handle: int, resolution: str) -> None:
        ticket = self.tickets[handle]
        if ticket.status == "closed":
            return  # a ticket already closed is kept as it is, its resolution too
        if ticket.status not in DONE or ticket.resolution != resolution:
            ticket.notes.append(resolution)  # a tracker that posts notes posts one now
        ticket.status, ticket.resolution = "closed", resolution

    def set_priority(self, handle: int, priority: str) -> None:
        self.tickets[handle].priority = priority

    def comment(self, handle: int, author: str, body: str) -> None:
        self.tickets[handle].comments.append((author, body))

    def add_dependency(self, handle: int, on: int) -> None:
        if on not in self.tickets[handle].deps:
            self.tickets[handle].deps.append(on)

    def remove_dependency(self, handle: int, on: int) -> None:
        deps = self.tickets[handle].deps
        if on in deps:
            deps.remove(on)

    def link_parent(self, child: int, parent: int) -> None:
        self.tickets[child].parent = parent

    # ------------------------------------------------------------ the expected state

    def views(self, *, notes: bool) -> dict[str, View]:
        def title(handle: int | None) -> str | None:
            return None if handle is None else self.tickets[handle].title

        return {
            t.title: View(
                title=t.title,
                status=t.status,
                priority=t.priority,
                parent=title(t.parent),
                deps=tuple(sorted(self.tickets[d].title for d in t.deps)),
                comments=tuple(t.comments),
                notes=tuple(t.notes) if notes else None,
            )
            for t in self.tickets
        }


@dataclass(frozen=True)
class Diff:
    """One difference between the tracker and the model."""

    kind: str
    """``duplicate``, ``lost``, ``unexpected`` (tickets); ``field``, ``link`` (a lost or wrong
    update); ``comment lost``, ``comment doubled``, ``comment order``; ``note lost``,
    ``note doubled``; ``dead letter`` (an operation the replay gave up on)."""
    title: str
    detail: str
    count: int = 1

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}: {self.detail}"

    @property
    def family(self) -> str:
        """What the chaos bench counts it as: ``duplicate``, ``loss`` or ``order``."""
        if self.kind in ("duplicate", "comment doubled", "note doubled", "unexpected"):
            return "duplicate"
        if self.kind == "comment order":
            return "order"
        return "loss"


def _counted(
    kind: str, title: str, want: tuple[object, ...], got: tuple[object, ...]
) -> list[Diff]:
    """Lost, doubled or reordered items of a list that must match ``want`` exactly."""
    if want == got:
        return []
    missing = Counter(want) - Counter(got)
    extra = Counter(got) - Counter(want)
    diffs = [Diff(f"{kind} lost", title, f"{item!r} x{n}", n) for item, n in missing.items()]
    diffs += [Diff(f"{kind} doubled", title, f"{item!r} x{n}", n) for item, n in extra.items()]
    if not diffs:
        diffs.append(Diff(f"{kind} order", title, f"expected {want!r}, got {got!r}"))
    return diffs


def _differences(title: str, want: View, got: View) -> list[Diff]:
    diffs: list[Diff] = []
    for name in ("status", "priority", "parent"):
        if getattr(got, name) != getattr(want, name):
            wanted, have = getattr(want, name), getattr(got, name)
            diffs.append(Diff("field", title, f"{name} {have!r}, expected {wanted!r}"))
    if got.deps != want.deps:
        diffs.append(Diff("link", title, f"dependencies {got.deps!r}, expected {want.deps!r}"))
    if got.deps_read not in (None, want.deps, got.deps):  # stored twice, and they differ
        read = f"dependencies read back {got.deps_read!r}, expected {want.deps!r}"
        diffs.append(Diff("link", title, read))
    diffs += _counted("comment", title, want.comments, got.comments)
    if want.notes is not None and got.notes is not None:
        diffs += _counted("note", title, want.notes, got.notes)
    return diffs


def compare(expected: dict[str, View], found: dict[str, list[View]]) -> list[Diff]:
    """Every difference between the model's tickets and the tracker's, by title. Of a ticket
    made twice, the copy closest to the model is compared."""
    diffs: list[Diff] = []
    for title, views in sorted(found.items()):
        if title not in expected:
            diffs.append(Diff("unexpected", title, f"{len(views)} ticket(s) the model has not"))
        elif len(views) > 1:
            diffs.append(Diff("duplicate", title, f"{len(views)} tickets", len(views) - 1))
    for title, want in expected.items():
        views = found.get(title) or []
        if not views:
            diffs.append(Diff("lost", title, "not on the tracker"))
            continue
        diffs += min((_differences(title, want, got) for got in views), key=len)
    return diffs

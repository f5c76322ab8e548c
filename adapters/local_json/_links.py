"""The checks a parent or dependency passes before it is stored: it exists, and no cycle.

A ticket is never its own parent or ancestor, and never depends on itself, directly or
through other tickets. The index answers who is whose parent and who depends on whom.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from adapters.local_json._index import Index
from bridge.errors import ConflictError, NotFoundError

__all__ = ["check_links"]


def check_links(
    index: Index,
    exists: Callable[[str], bool],
    ticket_id: str,
    parent_id: str | None,
    deps: Sequence[str],
    *,
    adapter: str,
) -> None:
    """Raise ``NotFoundError`` for a missing parent or dependency of ``ticket_id``,
    ``ConflictError`` for one that would make a cycle."""
    if parent_id is not None:
        _check_parent(index, exists, ticket_id, parent_id, adapter=adapter)
    for dep in deps:
        _check_dependency(index, exists, ticket_id, dep, adapter=adapter)


def _check_parent(
    index: Index, exists: Callable[[str], bool], ticket_id: str, parent_id: str, *, adapter: str
) -> None:
    if parent_id == ticket_id:
        raise ConflictError("a ticket cannot be its own parent", ticket_id=ticket_id)
    if not exists(parent_id):
        raise NotFoundError(
            f"parent ticket {parent_id} does not exist", adapter=adapter, ticket_id=ticket_id
        )
    ancestor: str | None = parent_id
    while ancestor is not None:
        if ancestor == ticket_id:
            raise ConflictError(
                f"making {parent_id} the parent would create a cycle",
                adapter=adapter,
                ticket_id=ticket_id,
            )
        ancestor = index.parent_of(ancestor)


def _check_dependency(
    index: Index, exists: Callable[[str], bool], ticket_id: str, dep: str, *, adapter: str
) -> None:
    if dep == ticket_id:
        raise ConflictError("a ticket cannot depend on itself", ticket_id=ticket_id)
    if not exists(dep):
        raise NotFoundError(
            f"dependency {dep} does not exist", adapter=adapter, ticket_id=ticket_id
        )
    if _reaches(index, dep, ticket_id):
        raise ConflictError(
            f"depending on {dep} would create a cycle ({dep} already depends on {ticket_id})",
            adapter=adapter,
            ticket_id=ticket_id,
        )


def _reaches(index: Index, start: str, target: str) -> bool:
    """True if ``start`` depends on ``target``, directly or through other tickets."""
    stack, seen = [start], {start}
    while stack:
        for dep in index.deps_of(stack.pop()):
            if dep == target:
                return True
            if dep not in seen:
                seen.add(dep)
                stack.append(dep)
    return False

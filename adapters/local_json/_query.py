"""A list query as reads of index ranges that are already in list order, merged.

Every index of the ticket table ends in ``(created_at, id)``, the order of a list, so a read
with equality on the index's leading columns and the cursor's key as lower bound returns its
matches in order and stops at the page: it costs the page, not the store. The filter picks the
index that drives (a label, the parent, the assignee with the status, or status, priority and
type together); a column of that index the filter leaves open, or gives several values, is
read value by value and the ranges merged. The other filters are checked on the rows read.
"""

from __future__ import annotations

import heapq
import itertools
import sqlite3
from collections.abc import Iterator
from datetime import datetime

from bridge.errors import InvalidError
from bridge.models import Priority, Status, TicketQuery, TicketType, check_ticket_id

__all__ = ["is_key", "key_of", "page_keys"]

_VALUES = {
    "status": [s.value for s in Status],
    "priority": [p.value for p in Priority],
    "type": [t.value for t in TicketType],
}
_MAX_RANGES = 80
Key = tuple[str, str]


def page_keys(
    db: sqlite3.Connection, query: TicketQuery, after: Key | None, limit: int
) -> list[Key]:
    """The (created_at, id) of the first ``limit`` matches after ``after``, in list order."""
    choices = {
        "status": [s.value for s in query.status],
        "priority": [p.value for p in query.priority],
        "type": [t.value for t in query.type],
    }
    if query.labels:
        source, driven = "labels l CROSS JOIN tickets t ON t.id = l.id", ["l.label"]
        ranges: list[list[object]] = [[query.labels[0]]]
    elif query.parent_id is not None:
        source, driven, ranges = (
            "tickets t INDEXED BY ix_parent",
            ["t.parent_id"],
            [[query.parent_id]],
        )
    elif query.assignee is not None:
        source, driven = "tickets t INDEXED BY ix_assignee", ["t.assignee"]
        ranges = [[query.assignee]]
        if choices["status"]:
            driven.append("t.status")
            ranges = [[query.assignee, s] for s in choices.pop("status")]
    elif any(choices.values()):
        last = max(i for i, values in enumerate(choices.values()) if values)
        columns = list(choices)[: last + 1]
        product = [choices[c] or _VALUES[c] for c in columns]
        if _count(product) > _MAX_RANGES:
            return _keys(db, "tickets t", [], [[]], query, choices, after, limit)
        source, driven = "tickets t INDEXED BY ix_spt", [f"t.{c}" for c in columns]
        ranges = [list(values) for values in itertools.product(*product)]
        for column in columns:
            choices[column] = []
    else:
        source, driven, ranges = "tickets t INDEXED BY ix_order", [], [[]]
    return _keys(db, source, driven, ranges, query, choices, after, limit)


def _count(product: list[list[str]]) -> int:
    total = 1
    for values in product:
        total *= len(values)
    return total


def _keys(
    db: sqlite3.Connection,
    source: str,
    driven: list[str],
    ranges: list[list[object]],
    query: TicketQuery,
    choices: dict[str, list[str]],
    after: Key | None,
    limit: int,
) -> list[Key]:
    where, args = _residual(query, choices, driven)
    key = "l.created_at, l.id" if source.startswith("labels") else "t.created_at, t.id"
    if after is not None:
        where.append(f"({key}) > (?, ?)")
        args.extend(after)
    conditions = [f"{c} = ?" for c in driven] + where
    clause = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    # every piece is a constant of this module; the values are bound
    sql = f"SELECT {key} FROM {source} {clause} ORDER BY {key} LIMIT ?"  # noqa: S608
    streams: list[Iterator[Key]] = [db.execute(sql, [*values, *args, limit]) for values in ranges]
    merged = streams[0] if len(streams) == 1 else heapq.merge(*streams)
    return list(itertools.islice(merged, limit))


def _residual(
    query: TicketQuery, choices: dict[str, list[str]], driven: list[str]
) -> tuple[list[str], list[object]]:
    """The conditions of the filters the driving index does not answer."""
    where: list[str] = []
    args: list[object] = []
    for column, values in choices.items():
        if values:
            where.append(f"t.{column} IN ({','.join('?' * len(values))})")
            args.extend(values)
    for column, value in (("assignee", query.assignee), ("parent_id", query.parent_id)):
        if value is not None and f"t.{column}" not in driven:
            where.append(f"t.{column} = ?")
            args.append(value)
    if query.updated_since is not None:
        where.append("t.updated_at >= ?")
        args.append(query.updated_since.isoformat(timespec="microseconds"))
    for word in (query.text or "").lower().split():  # every word, in any order
        where.append("instr(t.search, ?) > 0")
        args.append(word)
    for label in query.labels[1:]:
        where.append("EXISTS (SELECT 1 FROM labels x WHERE x.id = t.id AND x.label = ?)")
        args.append(label)
    return where, args


def is_key(position: str) -> bool:
    """True for ``<ISO created>|<ticket id>``, the position of a page after the first."""
    created, sep, ticket_id = position.rpartition("|")
    if not (sep and created and ticket_id):
        return False
    try:
        datetime.fromisoformat(created)
        check_ticket_id(ticket_id)
    except (ValueError, InvalidError):
        return False
    return True


def key_of(position: str) -> tuple[str, str] | None:
    """The (created, id) a page starts after; ``None`` for the first page."""
    if not position:
        return None
    created, _, ticket_id = position.rpartition("|")
    return created, ticket_id

"""``ticket-bridge outbox``: what waits for the tracker, and what it refused for good.

ticket-bridge outbox              queued and dead entries
ticket-bridge outbox show SEQ     one entry, with its payload and error
ticket-bridge outbox retry SEQ    queue a dead entry (and those that followed it) again
ticket-bridge outbox drop SEQ     forget an entry and its followers (asks; --yes)
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from bridge.cli._common import command, emit
from bridge.errors import InvalidError, NotFoundError

if TYPE_CHECKING:
    from bridge.outbox import Entry, Outbox
    from bridge.service import TicketingService

__all__ = ["add_outbox_command"]

_HEADERS = ("seq", "op", "ticket", "state", "queued", "error")


def _outbox(service: TicketingService) -> Outbox:
    from bridge.resilience import ResilientService

    if not isinstance(service, ResilientService) or service.outbox is None:
        raise InvalidError(
            f"the {service.adapter_name} tracker has no outbox: the local store never falls "
            "back; select a github or jira tracker (--tracker NAME)"
        )
    return service.outbox


def _row(entry: Entry) -> list[Any]:
    from bridge.render import stamp_text

    return [
        entry.seq,
        entry.op,
        entry.ticket_id,
        entry.state,
        stamp_text(entry.created_at),
        entry.error,
    ]


def _entry(outbox: Outbox, seq: int | None) -> Entry:
    if seq is None:
        raise InvalidError("name the entry: ticket-bridge outbox show|retry|drop SEQ")
    entry = outbox.entry(seq)
    if entry is None:
        raise NotFoundError(f"no outbox entry {seq}: ticket-bridge outbox lists them")
    return entry


def cmd_outbox(args: argparse.Namespace, service: TicketingService) -> int:
    outbox = _outbox(service)
    action = args.action or "list"
    if action == "list":
        return _list(args, outbox)
    entry = _entry(outbox, args.seq)
    if action == "show":
        emit(args, entry.__dict__, _describe(entry))
        return 0
    if action == "retry":
        if not entry.dead:
            raise InvalidError(f"entry {entry.seq} is {entry.state}, not dead: nothing to retry")
        seqs = outbox.retry(entry.seq)
        emit(args, {"queued": seqs}, f"queued again: {', '.join(map(str, seqs))}")
        return 0
    family = [entry.seq, *(e.seq for e in outbox.entries(dead=True) if e.blocked_by == entry.seq)]
    if not args.yes and not _confirm(f"drop outbox entries {', '.join(map(str, family))}?"):
        raise InvalidError("nothing dropped: confirm with --yes")
    seqs = outbox.drop(entry.seq)
    emit(args, {"dropped": seqs}, f"dropped: {', '.join(map(str, seqs))}")
    return 0


def _list(args: argparse.Namespace, outbox: Outbox) -> int:
    from bridge.render import render_table

    queued, dead = outbox.entries(), outbox.entries(dead=True)
    parts = []
    if queued:
        parts.append("queued:\n" + render_table(_HEADERS, [_row(e) for e in queued]))
    if dead:
        parts.append(
            "dead (refused by the tracker; outbox show|retry|drop SEQ):\n"
            + render_table(_HEADERS, [_row(e) for e in dead])
        )
    data = {"queued": [e.__dict__ for e in queued], "dead": [e.__dict__ for e in dead]}
    emit(args, data, "\n\n".join(parts) or "the outbox is empty")
    return 1 if dead else 0


def _describe(entry: Entry) -> str:
    import json

    from bridge.render import stamp_text

    lines = [
        f"entry {entry.seq}: {entry.op} {entry.ticket_id or ''}".rstrip(),
        f"state: {entry.state}",
        f"queued: {stamp_text(entry.created_at)}",
    ]
    if entry.error:
        lines.append(f"error: {entry.error}")
    lines.append("payload: " + json.dumps(entry.payload, indent=2, sort_keys=True))
    return "\n".join(lines)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    sys.stderr.write(f"{question} [y/N] ")
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def add_outbox_command(sub: Any) -> None:
    p = command(
        sub, "outbox", "operations queued while the tracker was unreachable, and refused ones",
        "ticket-bridge outbox", "ticket-bridge outbox show 3", "ticket-bridge outbox retry 3",
        "ticket-bridge outbox drop 3 --yes",
        description=(__doc__ or "").split("\n\n", 1)[1] + "\nExit code 1 while an entry is dead.",
    )  # fmt: skip
    p.add_argument(
        "action", nargs="?", choices=("list", "show", "retry", "drop"), help="default: list"
    )
    p.add_argument("seq", nargs="?", type=int, help="the entry's sequence number")
    p.add_argument("--yes", action="store_true", help="drop without asking")
    p.set_defaults(handler=cmd_outbox)

"""What a store's files hold: a ticket file's JSON, with its idempotency key, and a comments
file's list, read and written.

A ticket file is the ticket's own JSON, pretty-printed, with the idempotency key it was
created with as one more key at the end; a comments file is a JSON list of comments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bridge.errors import CorruptDataError
from bridge.models import Comment, Ticket, TicketDraft

__all__ = [
    "IDEM",
    "MAX_DEPTH",
    "encode_comments",
    "encode_ticket",
    "from_draft",
    "parse_comments",
    "parse_ticket",
    "ticket_doc",
]

IDEM = "idempotency_key"
MAX_DEPTH = 64
"""How deeply a file's JSON may nest; a ticket's own is at most 34 deep (its metadata 32)."""
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _load(raw: bytes) -> object:
    """``json.loads`` that refuses nesting deeper than :data:`MAX_DEPTH` before it recurses."""
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH:
        depth = 0
        for match in _TOKENS.finditer(raw):
            token = match.group()[0]
            if token in b"[{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise ValueError(f"JSON nested more than {MAX_DEPTH} levels deep")
            elif token in b"]}":
                depth -= 1
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError(f"JSON nested more than {MAX_DEPTH} levels deep") from None


def ticket_doc(ticket: Ticket) -> str:
    """The ticket as the index keeps it: its JSON as in its file."""
    return ticket.model_dump_json(indent=2)


def encode_ticket(ticket: Ticket, idem: str | None) -> tuple[bytes, str]:
    """A ticket file's content, and the ticket's own JSON within it (what the index keeps:
    one encoding serves both)."""
    pretty = ticket.model_dump_json(indent=2)
    content = pretty
    if idem:  # one more key, after the ticket's own, without re-encoding the rest
        content = f"{pretty[:-2]},\n  {json.dumps(IDEM)}: {json.dumps(idem)}\n}}"
    return (content + "\n").encode(), pretty


def parse_ticket(
    ticket_id: str, path: Path, raw: bytes, *, adapter: str
) -> tuple[Ticket, str | None]:
    """The ticket and idempotency key a ticket file holds; ``CorruptDataError`` if it holds
    anything else (not JSON, not a ticket, another ticket)."""
    try:
        data = _load(raw)
        if not isinstance(data, dict):
            raise ValueError("the file does not hold a JSON object")
        idem = data.pop(IDEM, None)
        ticket = Ticket.model_validate(data)
        if ticket.id != ticket_id:
            raise ValueError(f"the file holds ticket {ticket.id!r}, not {ticket_id!r}")
    except (ValueError, ValidationError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CorruptDataError(
            f"cannot read {path}: {reason}",
            path=str(path),
            adapter=adapter,
            ticket_id=ticket_id,
        ) from None
    return ticket, idem if isinstance(idem, str) else None


def encode_comments(comments: Sequence[Comment]) -> bytes:
    """A comments file's content."""
    payload = [c.model_dump(mode="json") for c in comments]
    return (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode()


def parse_comments(ticket_id: str, path: Path, raw: bytes, *, adapter: str) -> list[Comment]:
    """The comments a comments file holds; ``CorruptDataError`` if it holds anything else."""
    try:
        items = _load(raw)
        if not isinstance(items, list):
            raise ValueError("the file does not hold a JSON list")
        return [Comment.model_validate(item) for item in items]
    except (ValueError, TypeError, ValidationError) as exc:
        raise CorruptDataError(
            f"cannot read {path}: {str(exc).splitlines()[0]}",
            path=str(path),
            adapter=adapter,
            ticket_id=ticket_id,
        ) from None


_TICKET_FIELDS = frozenset(Ticket.model_fields)


def from_draft(draft: TicketDraft, ticket_id: str, now: datetime) -> Ticket:
    """The ticket a validated draft makes: what ``Ticket.model_construct`` builds (the
    draft's values, already checked, are not checked again), without its per-field loop,
    a tenth of a create's cost."""
    fields: dict[str, Any] = {"id": ticket_id, **draft.__dict__}
    del fields["idempotency_key"]
    fields["labels"] = list(draft.labels)
    fields["dependencies"] = list(draft.dependencies)
    fields["metadata"] = dict(draft.metadata)
    fields.update(created_at=now, updated_at=now, tracker=None, pending=False)
    ticket = Ticket.__new__(Ticket)
    object.__setattr__(ticket, "__dict__", fields)
    object.__setattr__(ticket, "__pydantic_fields_set__", set(_TICKET_FIELDS))
    object.__setattr__(ticket, "__pydantic_extra__", None)
    object.__setattr__(ticket, "__pydantic_private__", None)
    return ticket

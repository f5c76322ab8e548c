"""What the bridge keeps in issue and comment bodies, where GitHub has no field for it.

An issue body ends in one hidden HTML comment (the :class:`Block`): metadata, the idempotency
key, resolved-vs-closed, the resolution, dependencies where the server lacks them, the
type, the labels the bridge set and the bridge-owned labels it last wrote. It is invisible
on GitHub, parsed back here, and robust to edits of the text above it; a block that is not
what the bridge writes is ignored, never a crash. A comment the bridge posts starts with a
hidden marker naming its author and idempotency key.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import JsonValue

from adapters.github._payload import CommentIn
from bridge.errors import InvalidError
from bridge.models import Comment

__all__ = [
    "BODY_LIMIT",
    "RESOLUTION_MARK",
    "Block",
    "checked_body",
    "comment_body",
    "compose_body",
    "new_note_key",
    "note_key_of",
    "parse_comment",
    "resolution_note",
    "split_body",
]

_BLOCK_RE = re.compile(r"\n*<!-- ticket-bridge (\{.*?\}) -->\s*$", re.DOTALL)
_AUTHOR_RE = re.compile(
    r"\A<!-- ticket-bridge:author (\".*?\")(?: key (\"[^\"]*\"))? -->\n\*\*.*?\*\* wrote:\n\n",
    re.DOTALL,
)
RESOLUTION_MARK = "<!-- ticket-bridge:resolution -->"
BODY_LIMIT = 65_536


@dataclass
class Block:
    """The hidden part of an issue body."""

    status: str | None = None
    metadata: dict[str, JsonValue] = field(default_factory=dict)
    key: str | None = None
    resolution: str | None = None
    deps: list[str] = field(default_factory=list)
    type: str | None = None
    labels: list[str] = field(default_factory=list)
    owned: list[str] = field(default_factory=list)  # the bridge's own labels, as last written
    note: str | None = None  # the key of the resolution note of this closing

    def dump(self) -> str:
        data: dict[str, Any] = {"v": 1}
        for name in ("status", "type", "key", "resolution", "note"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        for name in ("metadata", "deps", "labels", "owned"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        # "--" cannot appear inside an HTML comment; \u002d is the same JSON string.
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("--", "-\\u002d")
        return f"<!-- ticket-bridge {text} -->"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: object) -> list[str]:
    return [str(x) for x in value if isinstance(x, str | int)] if isinstance(value, list) else []


def split_body(body: str | None) -> tuple[str, Block]:
    """The visible description and the hidden block of an issue body."""
    body = body or ""
    match = _BLOCK_RE.search(body)
    if not match:
        return body.rstrip(), Block()
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return body.rstrip(), Block()
    if not isinstance(data, dict):
        return body.rstrip(), Block()
    metadata = data.get("metadata")
    block = Block(
        status=_text(data.get("status")),
        metadata=metadata if isinstance(metadata, dict) else {},
        key=_text(data.get("key")),
        resolution=_text(data.get("resolution")),
        deps=_texts(data.get("deps")),
        type=_text(data.get("type")),
        labels=_texts(data.get("labels")),
        owned=_texts(data.get("owned")),
        note=_text(data.get("note")),
    )
    return body[: match.start()].rstrip(), block


def compose_body(description: str, block: Block) -> str:
    """The issue body: the description a person reads, then the hidden block."""
    description = description.rstrip()
    return f"{description}\n\n{block.dump()}" if description else block.dump()


def checked_body(description: str, block: Block, ticket_id: str | None = None) -> str:
    """The issue body, or ``InvalidError`` when it would be longer than GitHub allows."""
    body = compose_body(description, block)
    if len(body) > BODY_LIMIT:
        raise InvalidError(
            f"the issue body would be {len(body)} characters (description "
            f"{len(description)} plus {len(body) - len(description)} of metadata); GitHub "
            f"allows {BODY_LIMIT}",
            adapter="github",
            ticket_id=ticket_id,
        )
    return body


def comment_body(author: str, text: str, key: str | None = None) -> str:
    """A comment as posted: a hidden marker (author, idempotency key), a visible header
    line, the text."""
    mark = json.dumps(author) + (f" key {json.dumps(key)}" if key else "")
    return f"<!-- ticket-bridge:author {mark} -->\n**{author}** wrote:\n\n{text}"


def _marker(body: str) -> tuple[str, str | None, str] | None:
    """Author, key and text of a comment the bridge posted, if its marker is intact."""
    match = _AUTHOR_RE.match(body)
    if not match:
        return None
    try:
        author = json.loads(match.group(1))
        key = json.loads(match.group(2)) if match.group(2) else None
    except ValueError:
        return None
    if not isinstance(author, str) or not (key is None or isinstance(key, str)):
        return None
    return author, key, body[match.end() :]


def parse_comment(raw: CommentIn, ticket_id: str) -> Comment | None:
    """A neutral comment; ``None`` for the bridge's resolution notes."""
    body = raw.body or ""
    if body.startswith(RESOLUTION_MARK):
        return None
    marked = _marker(body)
    if marked:
        author, key, text = marked
    else:
        author, key, text = (raw.user.login if raw.user else "unknown"), None, body
    return Comment(
        id=str(raw.id),
        ticket_id=ticket_id,
        author=author,
        body=text,
        created_at=raw.created_at,
        key=key,
    )


def resolution_note(resolution: str, key: str | None = None) -> str:
    """The comment that records a resolution (GitHub has no field for it). ``key`` ties it to
    the closing that posted it (the issue body's block holds the same key), so that a close
    retried after its note was lost posts it once, whatever notes earlier closings left."""
    mark = RESOLUTION_MARK if key is None else f"{RESOLUTION_MARK}<!-- {key} -->"
    return f"{mark}\n**Resolution:** {resolution}"


def new_note_key() -> str:
    """A fresh key for the resolution note of a closing."""
    return uuid.uuid4().hex[:16]


def note_key_of(body: str | None) -> str | None:
    """The closing key of a resolution note, or ``None`` (not a note, or from before keys)."""
    rest = (body or "").removeprefix(RESOLUTION_MARK)
    if rest == body or not rest.startswith("<!-- "):
        return None
    key = rest[5:].split(" -->", 1)[0]
    return key if key.isalnum() else None

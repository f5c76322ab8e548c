"""Descriptions and comments: Markdown in the model, ADF on Jira Cloud (v3), text as it is on
Server/Data Center (v2: wiki markup or plain text, passed through unchanged both ways).

Reading a Cloud description or comment gives Markdown that writes back as the same document,
mentions, panels, media and tables included (:mod:`adapters.jira._markdown`). Markdown the
caller writes is kept exactly as written: where Jira's document would read back as different
Markdown ("1. run it" under a line is a list, written back with its own spacing), the bridge's
entity property keeps the caller's text with the digest of the document it became, and a read
of that same document gives the caller's text back. A description the caller does not change
is never sent again.
"""

from __future__ import annotations

import json
import re
from typing import Any

from adapters.jira._adf import digest, from_markdown, plain_text
from adapters.jira._markdown import to_markdown

__all__ = [
    "SOURCE_LIMIT",
    "comment_body",
    "comment_parts",
    "description_field",
    "description_source",
    "read_description",
]

SOURCE_LIMIT = 16_000
"""Longest Markdown kept in the entity property (its value holds at most 32,768 characters)."""

_HEADER = re.compile(r'ticket-bridge author: (".*?")(?: key: ("[^"]*"))?')
_V2_HEADER = re.compile(r"\A" + _HEADER.pattern + r"\n\n", re.DOTALL)


def description_field(text: str, *, cloud: bool) -> Any:
    """The ``description`` field value for Markdown ``text`` (None clears it)."""
    if not text:
        return None
    return from_markdown(text) if cloud else text


def description_source(text: str, *, cloud: bool) -> dict[str, str] | None:
    """What the entity property keeps of a description: the caller's Markdown and the digest
    of its document, where the document would not read back as that Markdown; else None."""
    if not cloud or not text or len(text) > SOURCE_LIMIT:
        return None
    doc = from_markdown(text)
    if to_markdown(doc) == text:
        return None
    return {"markdown": text, "digest": digest(doc)}


def read_description(value: Any, prop: dict[str, Any]) -> str:
    """The description as Markdown (Cloud) or as it is (Server), the caller's own text where
    the property kept it for this very document."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    saved = prop.get("description")
    if (
        isinstance(saved, dict)
        and isinstance(saved.get("markdown"), str)
        and saved.get("digest") == digest(value)
    ):
        return str(saved["markdown"])
    return to_markdown(value)


def _header(author: str, key: str | None) -> str:
    mark = json.dumps(author) + (f" key: {json.dumps(key)}" if key else "")
    return f"ticket-bridge author: {mark}"


def comment_body(author: str, text: str, key: str | None, *, cloud: bool) -> Any:
    """A comment as posted: a header line naming the author (and the idempotency key), then
    the text; on Cloud the header is a paragraph of its own and the text is Markdown."""
    header = _header(author, key)
    if not cloud:
        return f"{header}\n\n{text}"
    doc = from_markdown(text)
    first = {"type": "paragraph", "content": [{"type": "text", "text": header}]}
    return {**doc, "content": [first, *doc["content"]]}


def comment_parts(body: Any) -> tuple[str | None, str | None, str]:
    """The author and key the header names (None, None without one) and the text."""
    if isinstance(body, dict):
        blocks = body.get("content") if isinstance(body.get("content"), list) else []
        if blocks and isinstance(blocks[0], dict) and blocks[0].get("type") == "paragraph":
            match = _HEADER.fullmatch(plain_text(blocks[0]))
            if match:
                rest = to_markdown({**body, "content": blocks[1:]})
                return _decoded(match, rest)
        return None, None, to_markdown(body)
    text = "" if body is None else str(body)
    match = _V2_HEADER.match(text)
    return _decoded(match, text[match.end() :]) if match else (None, None, text)


def _decoded(match: re.Match[str], text: str) -> tuple[str | None, str | None, str]:
    try:
        author = json.loads(match.group(1))
        key = json.loads(match.group(2)) if match.group(2) else None
    except ValueError:
        return None, None, text
    return str(author), (str(key) if key is not None else None), text

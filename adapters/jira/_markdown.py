"""Atlassian Document Format to Markdown, lossless: what Markdown reads back differently
becomes a placeholder (see :mod:`adapters.jira._adf`), so that Markdown made here reads back
as the same document.

Each top-level block is written plainly, then with its text escaped, and kept in the first
form that :func:`~adapters.jira._adf.from_markdown` reads back as the same block (up to
:func:`~adapters.jira._adf.normalize`); a block neither form keeps is written as a placeholder.
Blocks are joined the way people write them (a list right under the paragraph that leads into
it) when that too reads back the same, else with blank lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from adapters.jira._adf import (
    BLOCK_INFO,
    encode_inline,
    from_markdown,
    normalize,
    plain_text,
)

__all__ = ["to_markdown"]

Node = dict[str, Any]
_WRAP = {"strong": "**", "em": "*", "strike": "~~"}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])", re.MULTILINE)


class _Unwritable(Exception):
    """A node this writer has no Markdown for: it goes in a placeholder."""


def to_markdown(doc: Any) -> str:
    """Markdown for an ADF document (``""`` for none)."""
    if not isinstance(doc, dict):
        return "" if doc is None else str(doc)
    blocks = [b for b in doc.get("content") or [] if isinstance(b, dict)]
    parts = [_kept(block) for block in blocks]
    tight = _join(blocks, parts, tight=True)
    if normalize(from_markdown(tight)) == normalize(_doc(blocks)):
        return tight
    return _join(blocks, parts, tight=False)


def _doc(blocks: list[Node]) -> Node:
    return {"type": "doc", "content": blocks}


def _join(blocks: list[Node], parts: list[str], *, tight: bool) -> str:
    out = ""
    for i, part in enumerate(parts):
        if i:
            leads_in = blocks[i - 1].get("type") == "paragraph"
            is_list = blocks[i].get("type") in ("bulletList", "orderedList")
            out += "\n" if tight and leads_in and is_list else "\n\n"
        out += part
    return out


def _kept(block: Node) -> str:
    """The block's Markdown in the first form that reads back as the block."""
    want = normalize(_doc([block]))
    for escape in (False, True):
        try:
            text = _block(block, escape)
        except _Unwritable:
            break
        if normalize(from_markdown(text)) == want:
            return text
    return _placeholder(block)


def _placeholder(block: Node) -> str:
    body = json.dumps(block, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{BLOCK_INFO}\n{body}\n{fence}"


def _children(node: Node) -> list[Node]:
    content = node.get("content")
    if content is None:
        return []
    if not isinstance(content, list) or not all(isinstance(c, dict) for c in content):
        raise _Unwritable
    return content


def _attrs(node: Node) -> dict[str, Any]:
    attrs = node.get("attrs") or {}
    if not isinstance(attrs, dict):
        raise _Unwritable
    return attrs


def _heading(node: Node, escape: bool) -> str:
    level = _attrs(node).get("level")
    if not isinstance(level, int) or level not in range(1, 7):
        raise _Unwritable
    return "#" * level + " " + _inline(_children(node), escape)


def _quote(node: Node, escape: bool) -> str:
    inner = "\n\n".join(_block(c, escape) for c in _children(node))
    return "\n".join(f"> {line}".rstrip() for line in inner.split("\n"))


def _block(node: Node, escape: bool) -> str:
    writers: dict[Any, Callable[[Node, bool], str]] = {
        "paragraph": lambda n, e: _inline(_children(n), e),
        "heading": _heading,
        "codeBlock": lambda n, e: _code(n),
        "rule": lambda n, e: "---",
        "blockquote": _quote,
        "bulletList": _list,
        "orderedList": _list,
        "table": _table,
    }
    writer = writers.get(node.get("type"))
    if writer is None:
        raise _Unwritable
    return writer(node, escape)


def _code(node: Node) -> str:
    text = "".join(plain_text(c) for c in _children(node))
    language = _attrs(node).get("language") or ""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _list(node: Node, escape: bool) -> str:
    start = _attrs(node).get("order", 1) if node.get("type") == "orderedList" else None
    lines = []
    for number, item in enumerate(_children(node), start=start if isinstance(start, int) else 1):
        if item.get("type") != "listItem":
            raise _Unwritable
        marker = "- " if start is None else f"{number}. "
        pad = " " * len(marker)
        body = ""
        for i, child in enumerate(_children(item)):
            nested = child.get("type") in ("bulletList", "orderedList")
            body += ("\n" if nested else "\n\n") if i else ""
            body += _block(child, escape)
        first, *rest = body.split("\n") if body else [""]
        lines.append(marker + first)
        lines += [pad + line if line else "" for line in rest]
    return "\n".join(lines)


def _table(node: Node, escape: bool) -> str:
    rows = []
    for row in _children(node):
        cells = []
        for cell in _children(row):
            blocks = _children(cell)
            if len(blocks) > 1 or (blocks and blocks[0].get("type") != "paragraph"):
                raise _Unwritable
            text = _inline(_children(blocks[0]), escape) if blocks else ""
            if "\n" in text:
                raise _Unwritable
            cells.append(text.replace("|", "\\|"))
        rows.append("| " + " | ".join(cells) + " |")
    if not rows:
        raise _Unwritable
    width = rows[0].count(" | ") + 1
    return "\n".join([rows[0], "| " + " | ".join(["---"] * width) + " |", *rows[1:]])


def _inline(nodes: list[Node], escape: bool) -> str:
    out = []
    for node in nodes:
        kind = node.get("type")
        if kind == "hardBreak":
            out.append("\n")
        elif kind == "text" and _plain_marks(node):
            out.append(_marked(node, escape))
        else:  # a mention, an emoji, a status, text in a colour: a placeholder link
            label = plain_text(node).replace("\n", " ") or str(kind)
            label = _SPECIAL.sub(r"\\\1", label)
            out.append(f"[{label}]({encode_inline(node)})")
    return "".join(out)


def _plain_marks(node: Node) -> bool:
    marks = node.get("marks") or []
    if not isinstance(marks, list):
        return False
    for mark in marks:
        if not isinstance(mark, dict):
            return False
        kind, attrs = mark.get("type"), mark.get("attrs") or {}
        if kind in ("strong", "em", "strike", "code") and not attrs:
            continue
        if kind == "link" and set(attrs) == {"href"} and " " not in str(attrs["href"]):
            continue
        return False
    return True


def _marked(node: Node, escape: bool) -> str:
    text = str(node.get("text", ""))
    marks = {m["type"]: m for m in node.get("marks") or []}
    if "code" in marks:
        ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        text = f"{ticks}{pad}{text}{pad}{ticks}"
    elif escape:
        text = _LINE_START.sub(
            lambda m: m.group(1) + "\\" + m.group(2), _SPECIAL.sub(r"\\\1", text)
        )
    for kind, wrap in _WRAP.items():
        if kind in marks:
            text = f"{wrap}{text}{wrap}"
    if "link" in marks:
        text = f"[{text}]({marks['link']['attrs']['href']})"
    return text

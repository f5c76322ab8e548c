"""Markdown to Atlassian Document Format (ADF, Jira Cloud's rich text), and what both
directions share: the opaque placeholders that carry what Markdown cannot say, and the
equivalence under which a conversion counts as lossless.

Markdown is read by markdown-it-py (CommonMark, with GFM tables and strikethrough; raw HTML is
text). A node Markdown has no syntax for (a mention, a panel, media, a status lozenge, a table
with layout attributes, text in a colour) is written into Markdown as a placeholder holding
the node's JSON, and read back as that same node:

- a block: a fenced code block whose info string is ``adf``;
- an inline node: a link whose target is ``adf:`` and the node's JSON in base64url, whose
  text is what the node shows (``[@Jane Doe](adf:eyJ0eXBlIjoi...)``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

__all__ = [
    "BLOCK_INFO",
    "INLINE_SCHEME",
    "decode_inline",
    "digest",
    "encode_inline",
    "from_markdown",
    "normalize",
    "plain_text",
]

Node = dict[str, Any]
BLOCK_INFO = "adf"
INLINE_SCHEME = "adf:"

_NUL = "\ue000"  # markdown-it replaces NUL; a private-use stand-in keeps it
TABLE_ATTRS = {"isNumberColumnEnabled": False, "layout": "default"}  # Jira's defaults
_PARSER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_MARKS = {"strong": "strong", "em": "em", "s": "strike"}
_BLOCKS = {
    "bullet_list": "bulletList",
    "ordered_list": "orderedList",
    "list_item": "listItem",
    "blockquote": "blockquote",
    "table": "table",
    "tr": "tableRow",
}


def encode_inline(node: Node) -> str:
    """The ``adf:`` link target that stands for an inline node."""
    text = json.dumps(node, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return INLINE_SCHEME + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_inline(href: str) -> Node | None:
    """The node an ``adf:`` link target stands for; None if it stands for none."""
    data = href[len(INLINE_SCHEME) :]
    try:
        node = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    except (ValueError, binascii.Error):
        return None
    return node if isinstance(node, dict) and isinstance(node.get("type"), str) else None


def _block_placeholder(info: str, content: str) -> Node | None:
    if info.strip() != BLOCK_INFO:
        return None
    try:
        node = json.loads(content)
    except ValueError:
        return None
    return node if isinstance(node, dict) and isinstance(node.get("type"), str) else None


def from_markdown(text: str) -> Node:
    """The ADF document for Markdown ``text`` (placeholders read back as their nodes)."""
    tree = SyntaxTreeNode(_PARSER.parse(text.replace("\x00", _NUL)))
    return {"type": "doc", "version": 1, "content": _blocks(tree.children)}


def _blocks(nodes: list[SyntaxTreeNode]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        block = _block(node)
        if block is not None:
            out.append(block)
    return out


def _paragraph(node: SyntaxTreeNode) -> Node | None:
    return _with_content({"type": "paragraph"}, _inline_of(node))


def _heading(node: SyntaxTreeNode) -> Node | None:
    level = int(node.tag[1:])
    return _with_content({"type": "heading", "attrs": {"level": level}}, _inline_of(node))


def _code(node: SyntaxTreeNode) -> Node | None:
    info = node.info if node.type == "fence" else ""
    placeholder = _block_placeholder(info, node.content)
    if placeholder is not None:
        return placeholder
    code: Node = {"type": "codeBlock"}
    if info.strip():
        code["attrs"] = {"language": info.strip().split()[0]}
    return _with_content(code, [_text(node.content.removesuffix("\n"), [])])


def _ordered(node: SyntaxTreeNode) -> Node | None:
    start = int(str(node.attrs.get("start", 1) or 1))
    out = {"type": "orderedList", "content": _blocks(node.children)}
    return {**out, "attrs": {"order": start}} if start != 1 else out


def _cell(node: SyntaxTreeNode) -> Node | None:
    cell = "tableHeader" if node.type == "th" else "tableCell"
    return {"type": cell, "content": [_with_content({"type": "paragraph"}, _inline_of(node))]}


def _table(node: SyntaxTreeNode) -> Node | None:
    rows = [row for part in node.children for row in part.children]  # thead, tbody
    cells = [b for b in (_block(row) for row in rows) if b is not None]
    return {"type": "table", "attrs": dict(TABLE_ATTRS), "content": cells}


_READERS = {
    "paragraph": _paragraph,
    "heading": _heading,
    "fence": _code,
    "code_block": _code,
    "hr": lambda node: {"type": "rule"},
    "ordered_list": _ordered,
    "th": _cell,
    "td": _cell,
    "table": _table,
}


def _block(node: SyntaxTreeNode) -> Node | None:
    reader = _READERS.get(node.type)
    if reader is not None:
        return reader(node)
    if node.type in _BLOCKS:
        return {"type": _BLOCKS[node.type], "content": _blocks(node.children)}
    return _with_content({"type": "paragraph"}, [_text(node.content or "", [])])


def _with_content(node: Node, content: list[Node]) -> Node:
    content = [c for c in content if c.get("type") != "text" or c.get("text")]
    return {**node, "content": content} if content else node


def _inline_of(node: SyntaxTreeNode) -> list[Node]:
    out: list[Node] = []
    for child in node.children:  # the block's one inline node
        _inline(child.children if child.type == "inline" else [child], [], out)
    return _merged(out)


def _text(text: str, marks: list[Node]) -> Node:
    node: Node = {"type": "text", "text": text.replace(_NUL, "\x00")}
    if marks:
        node["marks"] = [dict(m) for m in marks]
    return node


def _inline(nodes: list[SyntaxTreeNode], marks: list[Node], out: list[Node]) -> None:
    for node in nodes:
        kind = node.type
        if kind == "text":
            out.append(_text(node.content, marks))
        elif kind in ("softbreak", "hardbreak"):
            out.append({"type": "hardBreak"})
        elif kind == "code_inline":
            out.append(_text(node.content, [*marks, {"type": "code"}]))
        elif kind in _MARKS:
            _inline(node.children, [*marks, {"type": _MARKS[kind]}], out)
        elif kind == "link":
            href = str(node.attrs.get("href", ""))
            placeholder = decode_inline(href) if href.startswith(INLINE_SCHEME) else None
            if placeholder is not None:
                out.append(placeholder)
            else:
                _inline(node.children, [*marks, {"type": "link", "attrs": {"href": href}}], out)
        elif kind == "image":
            src = {"type": "link", "attrs": {"href": str(node.attrs.get("src", ""))}}
            out.append(_text(node.content or str(node.attrs.get("src", "")), [*marks, src]))
        else:
            out.append(_text(node.content, marks))


def _merged(nodes: list[Node]) -> list[Node]:
    """Adjacent text nodes with the same marks as one."""
    out: list[Node] = []
    for node in nodes:
        last = out[-1] if out else None
        if (
            last is not None
            and node.get("type") == "text"
            and last.get("type") == "text"
            and last.get("marks") == node.get("marks")
        ):
            out[-1] = {**last, "text": last.get("text", "") + node.get("text", "")}
        else:
            out.append(node)
    return out


def normalize(node: Any) -> Any:
    """A node up to what does not change it: key order, empty ``attrs`` and ``content``, an
    ordered list's default start, split text runs, the order of marks, the doc's version."""
    if isinstance(node, list):
        return (
            _merged([normalize(n) for n in node])
            if all(isinstance(n, dict) for n in node)
            else node
        )
    if not isinstance(node, dict):
        return node
    out = {k: normalize(v) for k, v in node.items() if k != "version" or node.get("type") != "doc"}
    attrs = out.get("attrs")
    if out.get("type") == "orderedList" and isinstance(attrs, dict) and attrs.get("order") == 1:
        out["attrs"] = {k: v for k, v in attrs.items() if k != "order"}
    if out.get("type") == "table" and isinstance(attrs, dict):
        out["attrs"] = {k: v for k, v in attrs.items() if TABLE_ATTRS.get(k, ...) != v}
    if isinstance(out.get("marks"), list):
        out["marks"] = sorted(out["marks"], key=lambda m: json.dumps(m, sort_keys=True))
    for key in ("attrs", "content", "marks"):
        if key in out and not out[key]:
            del out[key]
    return out


def digest(doc: Any) -> str:
    """A short fingerprint of a document, the same for every document :func:`normalize`
    makes equal."""
    canonical = json.dumps(normalize(doc), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def plain_text(node: Any) -> str:
    """The text a node shows, without structure (for headers and placeholders' labels)."""
    if not isinstance(node, dict):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    attrs = node.get("attrs")
    if kind in ("mention", "status", "date", "emoji", "inlineCard") and isinstance(attrs, dict):
        label = attrs.get("text") or attrs.get("shortName") or attrs.get("url")
        return str(label or attrs.get("timestamp") or kind)
    content = node.get("content")
    if not isinstance(content, list):
        return ""
    return "".join(plain_text(child) for child in content)

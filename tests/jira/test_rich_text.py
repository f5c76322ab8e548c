"""Descriptions and comments are lossless: Markdown <-> ADF on Cloud, text as it is on
Server; what Markdown cannot say survives a round trip; an unchanged description is never
sent again."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.jira._adf import digest, from_markdown, normalize
from adapters.jira._markdown import to_markdown
from tests.contract.test_jira import jira_service
from tests.fakes.base import FakeServer
from tests.fakes.jira_fake import JiraFakeApp, start_jira_fake
from tests.fakes.jira_replay import RECORDED, recorded_issues

ADF_FILES = sorted((RECORDED / "adf").glob("*.json"))


def _recorded_docs() -> list[tuple[str, Any]]:
    docs = [(p.name, json.loads(p.read_text())) for p in ADF_FILES]
    for path in sorted((RECORDED / "cloud").glob("*.json")):
        for issue in recorded_issues(path):
            if isinstance(issue["fields"].get("description"), dict):
                docs.append((f"{path.name}:{issue['key']}", issue["fields"]["description"]))
    comments = json.loads((RECORDED / "cloud" / "airbyte-issue_comments.json").read_text())
    docs += [(f"comment {c['id']}", c["body"]) for c in comments["comments"]]
    return docs


DOCS = _recorded_docs()


def _types(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        found.add(str(node.get("type")))
        for mark in node.get("marks") or []:
            found.add(f"mark:{mark.get('type')}")
        for child in node.get("content") or []:
            _types(child, found)
    return found


def test_the_recorded_documents_hold_what_markdown_cannot_say() -> None:
    every = set().union(*(_types(doc, set()) for _, doc in DOCS))
    for kind in ("bulletList", "orderedList", "codeBlock", "table", "mention", "panel"):
        assert kind in every
    assert {"mediaSingle", "emoji", "inlineCard", "mark:textColor", "mark:underline"} <= every


@pytest.mark.parametrize(("name", "doc"), DOCS, ids=[n for n, _ in DOCS])
def test_recorded_documents_round_trip(name: str, doc: Any) -> None:
    """ADF -> Markdown -> ADF gives the same document, node for node, mentions, panels,
    media, tables and colours included; and the Markdown reads the same again."""
    markdown = to_markdown(doc)
    back = from_markdown(markdown)
    assert normalize(back) == normalize(doc)
    assert to_markdown(back) == markdown
    assert digest(back) == digest(doc)


def test_markdown_reads_plainly_where_it_can() -> None:
    """Lists, code, tables, quotes and marks are plain Markdown; only the rest is opaque."""
    [(_, doc)] = [(n, d) for n, d in DOCS if n == "jira-cli-md.json"]
    markdown = to_markdown(doc)
    assert "- Prefix: Unordered list item 1\n  - Next" in markdown
    assert "1. Ordered list item 1" in markdown
    assert "```go\npackage main" in markdown
    assert "| **Table Header 1** | **Table Header 2** | **Table Header 3** |" in markdown
    assert "**Bold Text**" in markdown
    assert "[Person A](adf:" in markdown  # a mention, labelled with its text
    assert '```adf\n{"attrs":{"panelType":"info"}' in markdown


@pytest.mark.parametrize(
    "text",
    [
        "The CLI fails.\n\nSteps:\n1. run it",
        "Line one\nLine two — ✓",
        "**done** and `code` and ~~gone~~ and [a link](https://example.com)",
        "# Title\n\n- a\n- b\n  - c\n\n```py\nx = 1\n```\n\n| a | b |\n| --- | --- |\n| 1 | 2 |",
        "> quoted\n\n---\n\n3. starts at three\n4. next",
        "a*b_c [x] <tag> & 5 > 3",
        "control \x07 bell \x1b escape \x00 nul",
    ],
)
def test_markdown_round_trips_through_adf(text: str) -> None:
    doc = from_markdown(text)
    assert normalize(from_markdown(to_markdown(doc))) == normalize(doc)


@pytest.fixture
def cloud() -> Iterator[tuple[FakeServer, JiraFakeApp]]:
    server, app = start_jira_fake("cloud")
    yield server, app
    server.stop()


def _rich() -> dict[str, Any]:
    return json.loads((RECORDED / "adf" / "jira-cli-md.json").read_text())


def _descriptions_sent(server: FakeServer) -> list[Any]:
    return [
        e.body["fields"]["description"]
        for e in server.log
        if e.method == "PUT"
        and isinstance(e.body, dict)
        and "description" in e.body.get("fields", {})
    ]


def test_an_unchanged_description_is_never_rewritten(cloud) -> None:  # type: ignore[no-untyped-def]
    """A person's rich description (panels, mentions, tables) survives every other update
    untouched: the bridge does not send it back."""
    server, app = cloud
    service = jira_service(server.url)
    ticket = service.create_ticket("Rich")
    app.issues[ticket.id].fields["description"] = _rich()
    read = service.get_ticket(ticket.id)
    server.clear_log()
    service.update_ticket(ticket.id, title="Renamed", labels=["x"], metadata={"k": 1})
    service.update_ticket(ticket.id, description=read.description)  # the same text
    service.update_ticket(ticket.id, status="in_progress")
    assert _descriptions_sent(server) == []
    assert app.issues[ticket.id].fields["description"] == _rich()


def test_editing_a_rich_description_keeps_what_markdown_cannot_say(cloud) -> None:  # type: ignore[no-untyped-def]
    """Change one line of a description holding panels, mentions, tables and underlined text:
    every other node reaches Jira exactly as it was."""
    server, app = cloud
    service = jira_service(server.url)
    ticket = service.create_ticket("Rich")
    app.issues[ticket.id].fields["description"] = _rich()
    read = service.get_ticket(ticket.id).description
    edited = read.replace("Implement epic browser", "Implement the epic browser")
    assert edited != read
    service.update_ticket(ticket.id, description=edited)
    [sent] = _descriptions_sent(server)
    before, after = normalize(_rich())["content"], normalize(sent)["content"]
    assert len(before) == len(after)
    changed = [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if b != a]
    assert len(changed) == 1
    assert after[changed[0]]["content"][0]["text"] == "Implement the epic browser"
    assert service.get_ticket(ticket.id).description == edited


def test_the_callers_markdown_reads_back_as_written(cloud) -> None:  # type: ignore[no-untyped-def]
    """Markdown whose document Jira would show with other spacing reads back exactly as the
    caller wrote it, until a person edits the description in Jira."""
    server, app = cloud
    service = jira_service(server.url)
    text = "Steps:\n\n1. run it\n2. look\n\n\n* star bullets"
    ticket = service.create_ticket("Spacing", text)
    assert service.get_ticket(ticket.id).description == text
    assert app.issues[ticket.id].fields["description"]["type"] == "doc"
    edited = copy.deepcopy(app.issues[ticket.id].fields["description"])
    edited["content"][0]["content"][0]["text"] = "Steps (edited in Jira):"
    app.issues[ticket.id].fields["description"] = edited
    got = service.get_ticket(ticket.id).description
    assert got.startswith("Steps (edited in Jira):")
    assert normalize(from_markdown(got)) == normalize(edited)


def test_comments_are_markdown_on_cloud_and_keep_rich_nodes(cloud) -> None:  # type: ignore[no-untyped-def]
    server, app = cloud
    service = jira_service(server.url)
    ticket = service.create_ticket("Talk")
    service.add_comment(ticket.id, "Done:\n- one\n- two\n\n```sh\nmake\n```", author="qa-agent")
    stored = app.issues[ticket.id].comments[0]["adf"]
    types = [block["type"] for block in stored["content"]]
    assert types == ["paragraph", "paragraph", "bulletList", "codeBlock"]
    app.add_human_comment(ticket.id, _rich(), author="A Person")
    first, second = service.list_comments(ticket.id)
    assert (first.author, first.body) == ("qa-agent", "Done:\n- one\n- two\n\n```sh\nmake\n```")
    assert second.author == "A Person"
    assert normalize(from_markdown(second.body)) == normalize(_rich())


def test_server_text_passes_through_unchanged() -> None:
    """Server/Data Center: wiki markup in, the same wiki markup out, never converted."""
    server, app = start_jira_fake("server")
    try:
        service = jira_service(server.url, "server")
        wiki = "h1. Title\n\n* one\n* two\n\n{code:java}\nint x;\n{code}\n\n||a||b||\n|1|2|"
        ticket = service.create_ticket("Wiki", wiki)
        assert app.issues[ticket.id].fields["description"] == wiki
        assert service.get_ticket(ticket.id).description == wiki
        service.add_comment(ticket.id, "{panel}kept{panel}", author="qa-agent")
        assert service.list_comments(ticket.id)[0].body == "{panel}kept{panel}"
    finally:
        server.stop()


def test_control_characters_from_jira_are_kept(cloud) -> None:  # type: ignore[no-untyped-def]
    """Text Jira holds with control characters reads into the model as it is."""
    server, app = cloud
    service = jira_service(server.url)
    ticket = service.create_ticket("Bell")
    app.issues[ticket.id].fields["summary"] = "Title \x07 bell"
    app.issues[ticket.id].fields["description"] = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "a \x1b[31m b"}]}],
    }
    got = service.get_ticket(ticket.id)
    assert got.title == "Title \x07 bell"
    assert got.description == "a \x1b[31m b"


def test_recorded_files_exist() -> None:
    assert [p.name for p in ADF_FILES] == ["gitlab-complex_document.json", "jira-cli-md.json"]
    assert Path(RECORDED / "PROVENANCE.md").exists()

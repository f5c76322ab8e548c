"""What a tracker's text can do to a terminal, through the CLI: nothing.

A title, a description and a comment written on GitHub hold escape sequences, BEL, NUL, C1
controls and bidi overrides. Human output shows them as escapes (a title on one line);
``--json`` gives back every value exactly.
"""

from __future__ import annotations

import json
import re

from tests.fakes.github_fake import FakeIssue

TITLE = "Fix \x1b[31mred\x1b[0m\x07 login\x00 \u202eevil\u202c\nsecond line \x9b2J"
DESCRIPTION = "First \x1b]0;pwned\x07 line\r\nsecond\tline \u2066isolated\u2069\n\x1b[2Jclear"
COMMENT = "looks \x1b[5mblinking\x1b[0m \u202egnorw\u202c\r done"
AUTHOR = "mallory\x1b[8m"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _hostile_issue(app) -> str:  # type: ignore[no-untyped-def]
    app.issues[1] = FakeIssue(number=1, id=501, title=TITLE, body=DESCRIPTION, labels=["ui\x1b[1m"])
    app.add_human_comment(1, COMMENT, user=AUTHOR)
    return "1"


def test_show_escapes_controls_and_keeps_the_title_on_one_line(github_cli, fake) -> None:  # type: ignore[no-untyped-def]
    number = _hostile_issue(fake[1])
    code, out, _ = github_cli("show", number)
    assert code == 0
    assert not UNSAFE.search(out), repr(UNSAFE.search(out))
    first = out.splitlines()[0]
    assert first == (
        "1  Fix \\x1b[31mred\\x1b[0m\\x07 login\\x00 \\u202eevil\\u202c\\nsecond line \\x9b2J"
    )
    assert "  First \\x1b]0;pwned\\x07 line\n  second\tline \\u2066isolated\\u2069\n" in out
    assert "  \\x1b[2Jclear" in out
    assert "mallory\\x1b[8m:" in out
    assert "looks \\x1b[5mblinking\\x1b[0m \\u202egnorw\\u202c\\r done" in out
    assert "ui\\x1b[1m" in out


def test_list_shows_each_ticket_on_one_line(github_cli, fake) -> None:  # type: ignore[no-untyped-def]
    _hostile_issue(fake[1])
    fake[1].issues[2] = FakeIssue(number=2, id=502, title="Plain", body="", labels=[])
    code, out, _ = github_cli("list")
    assert code == 0
    assert not UNSAFE.search(out)
    rows = out.splitlines()
    assert len(rows) == 3  # the header and one line per ticket
    assert rows[1].startswith("1 ")
    assert "Fix \\x1b[31mred" in rows[1]


def test_json_keeps_every_value_exact(github_cli, fake) -> None:  # type: ignore[no-untyped-def]
    number = _hostile_issue(fake[1])
    code, out, _ = github_cli("--json", "show", number)
    assert code == 0
    assert not UNSAFE.search(out)  # escaped as JSON, not raw
    shown = json.loads(out)
    assert shown["title"] == TITLE.strip()
    assert shown["description"] == DESCRIPTION
    assert shown["labels"] == ["ui\x1b[1m"]
    [comment] = shown["comments"]
    assert (comment["author"], comment["body"]) == (AUTHOR, COMMENT)
    code, out, _ = github_cli("--json", "list")
    assert json.loads(out)["tickets"][0]["title"] == TITLE.strip()

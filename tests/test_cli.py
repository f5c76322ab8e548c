"""The command line: every ticket command, JSON output, errors and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.cli import main


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run the CLI in an empty directory; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TICKET_BRIDGE_CONFIG", raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_ticket_lifecycle_through_the_cli(cli) -> None:
    """create, update, comment, close, reopen, show and list work together."""
    code, out, _ = cli("create", "Fix login", "-p", "high", "-a", "engineer", "-l", "auth")
    assert code == 0
    ticket_id = out.strip()
    assert cli("update", ticket_id, "--status", "in_progress")[0] == 0
    assert cli("comment", ticket_id, "Root cause found", "--author", "research-agent")[0] == 0
    assert cli("close", ticket_id, "-r", "Fixed in PR #1")[0] == 0
    code, out, _ = cli("--json", "show", ticket_id)
    shown = json.loads(out)
    assert shown["status"] == "closed"
    assert shown["resolution"] == "Fixed in PR #1"
    assert shown["labels"] == ["auth"]
    assert [c["author"] for c in shown["comments"]] == ["research-agent"]
    assert cli("reopen", ticket_id)[0] == 0
    code, out, _ = cli("list", "--status", "open", "--assignee", "engineer")
    assert ticket_id in out
    assert "Fix login" in out


def test_links_and_children(cli) -> None:
    """link sets parents and dependencies; children lists subtasks."""
    parent = cli("create", "Parent")[1].strip()
    child = cli("create", "Child")[1].strip()
    other = cli("create", "Other")[1].strip()
    assert cli("link", child, "--parent", parent)[0] == 0
    assert cli("link", child, "--depends-on", other)[0] == 0
    _code, out, _ = cli("--json", "children", parent)
    [listed] = json.loads(out)
    assert listed["id"] == child
    assert listed["dependencies"] == [other]
    assert cli("link", child, "--depends-on", other, "--remove")[0] == 0
    assert cli("link", child, "--parent", parent, "--remove")[0] == 0
    assert "no children" in cli("children", parent)[1]


def test_errors_are_one_line_and_nonzero(cli) -> None:
    """Bad input gives exit code 1 and a single clear line on stderr."""
    code, out, err = cli("show", "../etc")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert "invalid ticket id" in err
    ticket_id = cli("create", "Valid")[1].strip()
    code, _, err = cli("update", ticket_id, "--priority", "urgent")
    assert code == 2  # a usage error: the line names the value and the choices, then a hint
    [line, hint] = err.splitlines()
    assert "urgent" in line
    assert "'low', 'medium', 'high', 'critical'" in line
    assert hint.startswith("hint: ")
    code, _, err = cli("create", "x", "--meta", "[1]")
    assert code == 1
    assert "JSON object" in err
    assert cli("show", "CLAUDE-19990101000000")[0] == 1


def test_init_writes_a_config_once(cli, tmp_path: Path) -> None:
    """init writes ticket-bridge.toml and leaves an existing one alone."""
    assert cli("init")[0] == 0
    text = (tmp_path / "ticket-bridge.toml").read_text()
    assert 'type = "local_json"' in text
    code, out, _ = cli("init")
    assert code == 0
    assert "already exists" in out


def test_list_paginates(cli) -> None:
    """--limit pages and --all walks every page."""
    for i in range(5):
        cli("create", f"t{i}")
    _code, out, _ = cli("--json", "list", "--limit", "2")
    page = json.loads(out)
    assert len(page["tickets"]) == 2
    assert page["next_cursor"]
    _code, out, _ = cli("--json", "list", "--all", "--limit", "2")
    assert len(json.loads(out)["tickets"]) == 5


def test_python_dash_m_bridge_and_no_tracker_imports(tmp_path: Path) -> None:
    """``python -m bridge list`` works and imports no github, jira or httpx module."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    env.pop("TICKET_BRIDGE_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bridge", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no tickets" in result.stdout
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert not {m for m in imported if m.split(".")[0] in {"github", "jira", "httpx"}}


def _run(tmp_path: Path, *argv: str | bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    env.pop("TICKET_BRIDGE_CONFIG", None)
    return subprocess.run(
        [sys.executable, *argv], cwd=tmp_path, env=env, capture_output=True, check=False
    )


def test_help_imports_no_pydantic(tmp_path: Path) -> None:
    """``ticket-bridge --help`` (and a command's own help) load neither pydantic nor the
    models; the extension commands are one ``--help-all`` away."""
    for argv in (["--help"], ["list", "--help"]):
        result = _run(tmp_path, "-X", "importtime", "-m", "bridge", *argv)
        assert result.returncode == 0, result.stderr
        imported = {
            line.split("|")[-1].strip()
            for line in result.stderr.decode().splitlines()
            if "|" in line
        }
        heavy = {m for m in imported if m.split(".")[0] == "pydantic" or m == "bridge.models"}
        assert not heavy, argv
    assert b"--help-all" in _run(tmp_path, "-m", "bridge", "--help").stdout
    everything = _run(tmp_path, "-m", "bridge", "--help-all")
    assert everything.returncode == 0
    assert b"workload" in everything.stdout


def test_an_extension_command_still_runs(cli) -> None:
    """A command the core parser does not know brings in the extensions."""
    cli("create", "t", "-a", "engineer")
    code, out, _ = cli("workload")
    assert code == 0
    assert "engineer" in out


def test_bad_cursor_and_meta_exit_1(cli) -> None:
    cli("create", "t")
    for argv, message in (
        (("list", "--cursor", "x|y"), "invalid cursor"),
        (("list", "--cursor", "x|y|0"), "invalid cursor"),
        (("create", "t", "--meta", '{"a": NaN}'), "NaN is not a JSON number"),
        (("create", "t", "--meta", '{"a": Infinity}'), "Infinity is not a JSON number"),
        (("create", "t", "--meta", "[" * 10_000 + "]" * 10_000), "nested too deeply"),
        (("create", "t", "--meta", '{"a":' * 40 + "1" + "}" * 40), "32 levels"),
        (("update", "x", "--meta", '{"a":' * 40 + "1" + "}" * 40), "32 levels"),
    ):
        code, _, err = cli(*argv)
        assert code == 1, argv
        assert message in err, (argv, err)
        assert err.count("\n") == 1
    assert len(json.loads(cli("--json", "list")[1])["tickets"]) == 1


def test_invalid_utf8_on_the_command_line(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 in a title: one clear line, exit 1, no traceback."""
    result = _run(tmp_path, "-m", "bridge", "create", b"bad \xff\xfe title")
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert b"not text" in result.stderr
    assert result.stderr.count(b"\n") == 1


def test_close_twice_and_reopen_an_open_ticket_say_so(cli) -> None:
    ticket_id = cli("create", "t")[1].strip()
    said = cli("close", ticket_id, "-r", "fixed")[1].strip()
    assert said == f"{ticket_id}: open -> closed (resolution: fixed)"
    code, out, _ = cli("close", ticket_id, "-r", "other")
    assert code == 0
    assert out.strip() == f"{ticket_id} is already closed; nothing changed (resolution: fixed)"
    assert json.loads(cli("--json", "show", ticket_id)[1])["resolution"] == "fixed"
    assert cli("reopen", ticket_id)[1].strip() == f"{ticket_id}: closed -> open"
    cli("update", ticket_id, "--status", "in_progress")
    code, out, _ = cli("reopen", ticket_id)
    assert code == 0
    assert (
        out.strip()
        == f"{ticket_id} is already in_progress, not closed or resolved; nothing changed"
    )
    assert json.loads(cli("--json", "show", ticket_id)[1])["status"] == "in_progress"


def test_json_list_all_streams_one_document(cli, tmp_path: Path) -> None:
    """The same keys as a page, every ticket, problems named."""
    ids = [cli("create", f"t{i}", "-l", "x")[1].strip() for i in range(3)]
    (tmp_path / ".tickets" / "tickets" / "BAD-1.json").write_text("{")
    code, out, err = cli("--json", "list", "--all", "-l", "x")
    assert code == 0
    document = json.loads(out)
    assert [t["id"] for t in document["tickets"]] == ids
    assert document["next_cursor"] is None
    assert len(document["problems"]) == 1
    assert "BAD-1.json" in err

"""What got in a new user's way, each fixed and pinned: test_fNN is friction NN.

(The README's examples themselves run in tests/test_readme.py; colour on a terminal in
tests/cli/test_pty.py; the wheel in tests/cli/test_packaging.py.)
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bridge.cli import build_parser
from tests.cli.conftest import ROOT, Run, program

README = (ROOT / "README.md").read_text(encoding="utf-8")
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _blocks(tag: str) -> list[str]:
    return re.findall(rf"^```{tag}\n(.*?)^```", README, re.MULTILINE | re.DOTALL)


def _new(cli: Run, *argv: str) -> str:
    code, out, err = cli("create", *argv)
    assert code == 0, err
    return out.strip()


# 1 ---------------------------------------------------------------- global options anywhere


def test_f01_global_options_after_the_command(cli: Run, tmp_path: Path) -> None:
    ticket = _new(cli, "Fix login", "-a", "engineer")
    code, out, _ = cli("list", "--status", "open", "--assignee", "engineer", "--json")
    assert code == 0
    assert [t["id"] for t in json.loads(out)["tickets"]] == [ticket]
    (tmp_path / "other.toml").write_text(
        '[bridge]\ntracker = "local"\n[trackers.local]\ntype = "local_json"\npath = "here"\n'
        '[trackers.other]\ntype = "local_json"\npath = "elsewhere"\n'
    )
    assert cli("create", "Elsewhere", "--config", "other.toml", "--tracker", "other", "-v")[0] == 0
    code, out, _ = cli("list", "--json", "--config", "other.toml", "--tracker", "other")
    assert [t["title"] for t in json.loads(out)["tickets"]] == ["Elsewhere"]
    code, out, _ = cli("list", "--config", "other.toml", "--json")
    assert json.loads(out)["tickets"] == []
    code, out, _ = cli("--json", "show", ticket)  # before the command still works
    assert json.loads(out)["id"] == ticket


def test_f01_version(cli: Run) -> None:
    from bridge import __version__

    code, out, _ = cli("--version")
    assert (code, out.strip()) == (0, f"ticket-bridge {__version__}")


# 2 ---------------------------------------------------------------- usage errors, exit codes


def test_f02_usage_errors_are_one_line_and_a_hint_exit_2(cli: Run) -> None:
    for argv in (["list", "--bogus"], ["list", "--status", "opn"], ["frobnicate"], []):
        code, out, err = cli(*argv)
        assert code == 2, argv
        assert out == ""
        line, hint = err.splitlines()
        assert line.startswith("error: ")
        assert hint.startswith("hint: see 'ticket-bridge")
        assert "usage:" not in err
    code, _, err = cli("list", "--bogus")
    assert "hint: see 'ticket-bridge list --help' for the options and examples" in err
    code, _, err = cli("workload", "--bogus")
    assert "hint: see 'ticket-bridge workload --help'" in err


def test_f02_exit_codes_are_documented(cli: Run) -> None:
    code, out, _ = cli("--help")
    assert code == 0
    for line in ("0    ok", "1    the operation failed", "2    usage", "3    sla"):
        assert line in out
    assert "exit code 2" in README
    assert "3 when `sla`" in README


# 3 ---------------------------------------------------------------- README ids and snippet


def test_f03_readme_ids_are_placeholders_and_said_so() -> None:
    shell = "\n".join(_blocks("sh"))
    assert not re.search(r"CLAUDE-\d{8}", shell), "a literal id: nobody else has it"
    assert "$ID" in shell
    assert "placeholders" in README


def test_f03_first_snippet_lists_the_engineers_ticket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's first Python block ends in an expression: it is not empty."""
    from bridge.factory import reset_default

    first = _blocks("python")[0]
    *body, last = first.rstrip().splitlines()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TICKET_BRIDGE_CONFIG", raising=False)
    reset_default()
    try:
        scope: dict[str, object] = {}
        exec("\n".join(body), scope)
        found = eval(last, scope)
    finally:
        reset_default()
    assert isinstance(found, list)
    assert len(found) == 1


# 4 ---------------------------------------------------------------- workload


def test_f04_availability_keys_as_documented(tmp_path: Path) -> None:
    from bridge.workflows.helper import TicketingHelper
    from bridge.workflows.workload import get_agent_availability

    assert "available, current_load, high_priority, capacity" in README
    assert "open, load, capacity" not in README
    example = (ROOT / "bridge" / "config.example.toml").read_text()
    assert re.search(r"^capacity = 5 +# the most", example, re.MULTILINE)
    from adapters.local_json import LocalJsonService

    with LocalJsonService(tmp_path / ".tickets") as service:
        keys = get_agent_availability(["pm"], TicketingHelper(service))["pm"]
    assert list(keys) == ["available", "current_load", "high_priority", "capacity"]


def test_f04_workload_lists_every_holder_and_warns_about_unknown(cli: Run) -> None:
    _new(cli, "Plan the release", "-a", "pm")
    _new(cli, "Write the code", "-a", "engineer", "-p", "high")
    code, out, _ = cli("workload")
    assert code == 0
    agents = [line.split()[0] for line in out.splitlines()[1:]]
    assert "pm" in agents
    assert "engineer" in agents
    code, out, err = cli("workload", "no-such-agent")
    assert code == 1
    assert out == ""
    assert "warning: 'no-such-agent' is not a configured agent and holds no tickets" in err
    code, out, err = cli("workload", "pm", "no-such-agent")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["pm"]
    assert "no-such-agent" in err


def test_f04_one_workload_table_in_demo_and_workload(cli: Run) -> None:
    code, out, _ = cli("demo", "--store", "demo")
    assert code == 0
    demo_header = out.split("Workload:\n")[1].splitlines()[0]
    (Path("ticket-bridge.toml")).write_text(
        '[trackers.local]\ntype = "local_json"\npath = "demo"\n'
    )
    code, out, err = cli("workload")
    assert code == 0, err
    assert out.splitlines()[0] == demo_header
    assert demo_header.split() == [
        "AGENT", "OPEN", "IN", "PROGRESS", "BLOCKED", "DONE", "HIGH+", "LOAD", "LIMIT", "FREE",
        "AVAILABLE",
    ]  # fmt: skip
    code, out, _ = cli("workload", "--help")
    assert "LIMIT the [workflows] capacity setting" in " ".join(out.split())


# 5 ---------------------------------------------------------------- progress


def test_f05_progress_prints_a_row_per_phase(cli: Run) -> None:
    phases = [_new(cli, f"Phase {i}") for i in (1, 2, 3)]
    code, out, _ = cli("progress", *phases)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "0/3 phases done (0%), in progress"
    assert [line.split()[:2] for line in lines[2:]] == [[p, "open"] for p in phases]
    code, out, _ = cli("--json", "progress", *phases)
    assert [p["id"] for p in json.loads(out)["phases"]] == phases


# 6 ---------------------------------------------------------------- demo


def test_f06_demo_runs_in_a_fresh_store_and_says_where(cli: Run, tmp_path: Path) -> None:
    outs = []
    for _ in range(2):
        code, out, _ = cli("demo")
        assert code == 0
        outs.append(out)
    assert not (tmp_path / ".tickets").exists()
    workloads = [o.split("Workload:\n")[1].split("\n\n")[0] for o in outs]
    assert workloads[0] == workloads[1]
    where = re.search(r"--config (\S+) list", outs[0])
    assert where is not None
    code, out, _ = cli("--config", where.group(1), "list", "--json")
    assert json.loads(out)["total"] == 6
    code, out, _ = cli("demo", "--store", "mine", "--json")
    assert json.loads(out)["store"] == str(tmp_path / "mine")


# 7 ---------------------------------------------------------------- no Python reprs


REPR = re.compile(r"<\w+(Service|Adapter)\b|object at 0x")


def test_f07_no_repr_reaches_a_person(cli: Run) -> None:
    code, out, _ = cli("init")
    assert code == 0
    assert not REPR.search(out)
    assert f"tracker ready: local store at {Path.cwd() / '.tickets'}" in out
    code, out, _ = cli("--json", "init")
    assert json.loads(out)["tracker"].startswith("local store at ")
    code, out, err = cli("outbox")
    assert code == 1
    assert not REPR.search(err)
    assert err.startswith("error: the local_json tracker has no outbox")
    code, out, _ = cli("demo")
    assert not REPR.search(out)


# 8 ---------------------------------------------------------------- the example config


def test_f08_init_example_writes_the_shipped_example(cli: Run, tmp_path: Path) -> None:
    code, _out, _ = cli("init", "--example")
    assert code == 0
    written = (tmp_path / "config.example.toml").read_text()
    assert written == (ROOT / "bridge" / "config.example.toml").read_text()
    assert "ticket-bridge init --example" in (tmp_path / "ticket-bridge.toml").read_text()
    from bridge.config import load_config

    load_config(tmp_path / "config.example.toml")  # every key in it is valid


# 9 ---------------------------------------------------------------- help that answers


def _commands() -> dict[str, Any]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return dict(sub.choices)


def test_f09_list_help_explains_every_option(cli: Run) -> None:
    code, out, _ = cli("list", "--help")
    assert code == 0
    text = " ".join(out.split())
    for needle in (
        "-s STATUS, --status STATUS repeatable: open, in_progress, blocked, resolved, closed",
        "-p PRIORITY, --priority PRIORITY repeatable: low, medium, high, critical",
        "-t TYPE, --type TYPE repeatable: task, bug, feature, epic",
        "-a AGENT, --assignee AGENT",
        "-l LABEL, --label LABEL repeatable",
        "--parent ID only the subtasks",
        "(default 50, at most 1000)",
        "--cursor CURSOR the next page",
        "comma list",
        "examples:",
    ):
        assert needle in text, needle


def test_f09_every_command_has_examples_and_helped_arguments() -> None:
    for name, parser in _commands().items():
        text = parser.format_help()
        assert re.search(r"examples:\n  .*ticket-bridge ", text), name
        assert "exit codes:" in text, name
        for action in parser._actions:
            assert action.help, f"{name} {action.dest} has no help"


# 10 --------------------------------------------------------------- comma lists


def test_f10_filters_take_comma_lists_and_repeats(cli: Run) -> None:
    a, b, c = _new(cli, "a"), _new(cli, "b"), _new(cli, "c")
    cli("update", b, "--status", "in_progress")
    cli("update", c, "--status", "blocked")

    def ids(*argv: str) -> list[str]:
        code, out, err = cli("--json", "list", *argv)
        assert code == 0, err
        return [t["id"] for t in json.loads(out)["tickets"]]

    assert ids("--status", "open,in_progress") == [a, b]
    assert ids("-s", "open", "-s", "blocked") == [a, c]
    assert ids("-s", "open, in_progress", "-s", "blocked") == [a, b, c]
    code, _, err = cli("list", "--status", "open,done")
    assert code == 2
    assert "'done'" in err
    assert "open, in_progress, blocked, resolved, closed" in err


# 11 --------------------------------------------------------------- sorting, totals, pages


def test_f11_total_line_and_next_page_command(cli: Run) -> None:
    made = [_new(cli, f"t{i}") for i in range(5)]
    code, out, err = cli("list", "--limit", "2")
    assert code == 0
    assert len(out.splitlines()) == 3  # stdout: the header and the rows alone
    match = re.fullmatch(r"2 of 5; next page: (ticket-bridge list --limit 2 --cursor \S+)\n", err)
    assert match, err
    import shlex

    argv = shlex.split(match.group(1))[1:]
    code, out, err = cli(*argv)
    assert [line.split()[0] for line in out.splitlines()[1:]] == made[2:4]
    assert err.startswith("2 of 5; next page: ")
    code, out, _ = cli("--json", "list", "--limit", "2")
    assert json.loads(out)["total"] == 5


def test_f11_sort_and_desc(cli: Run) -> None:
    low = _new(cli, "low", "-p", "low")
    crit = _new(cli, "crit", "-p", "critical")
    mid = _new(cli, "mid", "-p", "medium")
    cli("update", low, "--title", "low, touched last")

    def ids(*argv: str) -> list[str]:
        return [t["id"] for t in json.loads(cli("--json", "list", *argv)[1])["tickets"]]

    assert ids() == [low, crit, mid]
    assert ids("--desc") == [mid, crit, low]
    assert ids("--sort", "priority", "--desc") == [crit, mid, low]
    assert ids("--sort", "priority") == [low, mid, crit]
    assert ids("--sort", "updated", "--desc")[0] == low
    _code, _out, err = cli("list", "--sort", "priority", "--desc", "--limit", "2")
    assert err.strip().endswith("--sort priority --desc --limit 2 --cursor +2")
    page = json.loads(cli("--json", "list", "--sort", "priority", "--desc", "--cursor", "+2")[1])
    assert ([t["id"] for t in page["tickets"]], page["total"]) == ([low], 3)


# 12 --------------------------------------------------------------- text search


def test_f12_text_is_words_in_any_order_and_optionally_comments(cli: Run) -> None:
    login = _new(cli, "Ticket: the login page fails")
    other = _new(cli, "Unrelated")
    cli("comment", other, "Users cannot LOGIN; ticket filed upstream")

    def ids(*argv: str) -> list[str]:
        return [t["id"] for t in json.loads(cli("--json", "list", *argv)[1])["tickets"]]

    assert ids("--text", "login Ticket") == [login]
    assert ids("--text", "login ticket", "--comments") == [login, other]
    assert ids("--text", "login nowhere", "--comments") == []
    assert "--text" in "\n".join(_blocks("sh"))


# 13 --------------------------------------------------------------- completion


def test_f13_completion_scripts(cli: Run) -> None:
    for shell, marker in (
        ("bash", "complete "),
        ("zsh", "compdef"),
        ("fish", "complete --command"),
    ):
        code, out, _ = cli("completion", shell)
        assert code == 0
        assert marker in out, shell
        assert "ticket-bridge" in out


def test_f13_completion_completes_commands_and_options(tmp_path: Path) -> None:
    """The shell's request (argcomplete's protocol) is answered by the program itself."""
    answers = tmp_path / "answers"
    for line, expected in (
        ("ticket-bridge li", {"list", "link"}),
        ("ticket-bridge list --so", {"--sort"}),
        ("ticket-bridge wor", {"workload"}),
    ):
        result = program(
            tmp_path,
            _ARGCOMPLETE="1",
            COMP_LINE=line,
            COMP_POINT=str(len(line)),
            _ARGCOMPLETE_STDOUT_FILENAME=str(answers),
        )
        assert result.returncode == 0, result.stderr
        found = {w.strip() for w in answers.read_text().split("\x0b")}
        assert found == expected, line


# 14 --------------------------------------------------------------- control characters


def test_f14_titles_stay_on_one_line_controls_escaped(cli: Run) -> None:
    ticket = _new(cli, "first line\nsecond\tline \x1b[31mred\x07", "-d", "a\tb\x1b]0;x")
    _, out, _ = cli("show", ticket)
    head = out.splitlines()[0]
    assert head == f"{ticket}  first line\\nsecond\\tline \\x1b[31mred\\x07"
    assert not UNSAFE.search(out.replace("\t", " "))
    assert "\\x1b]0;x" in out
    _code, out, _ = cli("list")
    assert len(out.splitlines()) == 2
    assert not UNSAFE.search(out)
    cli("close", ticket, "-r", "fixed \x1b[2J")
    for argv in (["tree", ticket], ["update", ticket, "--title", "new \x1b[0m"]):
        code, out, _ = cli(*argv)
        assert code == 0
        assert not UNSAFE.search(out), argv
    shown = json.loads(cli("--json", "show", ticket)[1])
    assert shown["title"] == "new \x1b[0m"  # JSON stays exact
    assert shown["resolution"] == "fixed \x1b[2J"


# 15 --------------------------------------------------------------- confirmations, SLA


def test_f15_update_says_what_changed(cli: Run) -> None:
    ticket = _new(cli, "Fix login", "-p", "low", "-l", "auth")
    code, out, _ = cli("update", ticket, "--status", "in_progress", "-p", "high", "-l", "a,b")
    assert code == 0
    assert out.splitlines() == [
        f"{ticket} updated:",
        "  status: open -> in_progress",
        "  priority: low -> high",
        "  labels: auth -> a, b",
    ]
    code, out, _ = cli("update", ticket, "-p", "high")
    assert out.strip() == f"{ticket}: nothing changed"


def test_f15_reopen_and_close_in_that_state_say_so(cli: Run) -> None:
    ticket = _new(cli, "t")
    code, out, _ = cli("reopen", ticket)
    assert (code, out.strip()) == (
        0,
        f"{ticket} is already open, not closed or resolved; nothing changed",
    )
    assert (
        cli("close", ticket, "-r", "done")[1].strip()
        == f"{ticket}: open -> closed (resolution: done)"
    )
    code, out, _ = cli("close", ticket)
    assert out.strip() == f"{ticket} is already closed; nothing changed (resolution: done)"


def test_f15_create_stamps_the_sla_and_sla_exits_3(cli: Run) -> None:
    before = datetime.now(UTC)
    ticket = _new(cli, "Outage", "-p", "critical")
    sla = json.loads(cli("--json", "show", ticket)[1])["metadata"]["sla"]
    due = datetime.fromisoformat(sla["due_at"])
    assert sla["hours"] == 4
    assert before + timedelta(hours=4) - timedelta(seconds=2) <= due
    assert cli("sla")[0] == 0
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    cli("update", ticket, "--meta", json.dumps({"sla": {"hours": 4, "due_at": past}}))
    code, out, _ = cli("sla")
    assert code == 3
    assert ticket in out
    code, out, _ = cli("--json", "sla")
    assert code == 3
    assert json.loads(out)[0]["id"] == ticket


# 16 --------------------------------------------------------------- one time format


def test_f16_one_timestamp_format_and_no_markdown(cli: Run) -> None:
    ticket = _new(cli, "t")
    cli("comment", ticket, "hello")
    shown = json.loads(cli("--json", "show", ticket)[1])
    text = cli("show", ticket)[1]
    human = re.search(r"created +(\S+)", text)
    assert human is not None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", human.group(1))
    assert shown["created_at"].startswith(human.group(1)[:-1])
    assert shown["created_at"].endswith("Z")
    assert f"[{shown['comments'][0]['created_at'][:19]}Z]" in text
    _code, out, _ = cli("demo")
    assert "**" not in out
    assert "+00:00" not in out


def test_f07_json_on_every_command(cli: Run) -> None:
    """Every command a local store answers prints one JSON document with --json."""
    code, out, _ = cli("init", "--json")
    assert json.loads(out)["written"] == ["ticket-bridge.toml"]
    parent = json.loads(cli("create", "Parent", "--json")[1])["id"]
    child = json.loads(cli("--json", "create", "Child")[1])["id"]
    runs = [
        ["show", child], ["list"], ["list", "--sort", "priority"], ["list", "--all"],
        ["update", child, "-p", "high"], ["comment", child, "hi"],
        ["link", child, "--parent", parent], ["children", parent], ["tree", parent],
        ["close", child], ["reopen", child], ["workload"], ["sla"], ["ready"],
        ["progress", parent, child], ["completion", "bash"], ["demo", "--store", "d"],
    ]  # fmt: skip
    for argv in runs:
        code, out, err = cli(*argv, "--json")
        assert code == 0, (argv, err)
        json.loads(out)

"""Usage errors say plainly what was wrong: one line, a hint, exit code 2."""

from __future__ import annotations

import pytest

from bridge.cli import main


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--bogus"], "error: unknown option '--bogus'"),
        (["--json", "--bogus=1"], "error: unknown option '--bogus=1'"),
        ([], "error: no command given"),
        (["--json"], "error: no command given"),
        (["lst"], "error: no command 'lst'; did you mean 'list'?"),
        (["--json", "wrokload"], "error: no command 'wrokload'; did you mean 'workload'?"),
        (["zzzz"], "error: no command 'zzzz'"),
        (["list", "--bogus"], "error: unrecognized arguments: --bogus"),
    ],
)
def test_a_usage_error_is_one_plain_line_and_a_hint(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    first, hint, *rest = err.splitlines()
    assert first == said
    assert hint.startswith("hint: see 'ticket-bridge")
    assert rest == []

"""``ticket-bridge completion SHELL``: the shell's completion script, through argcomplete.

The script asks ``ticket-bridge`` itself for completions (argcomplete's protocol: the
``_ARGCOMPLETE`` variable), so every command and option, extensions' included, completes.
argcomplete is imported only then and here, never on an ordinary run.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bridge.cli._common import command, emit

__all__ = ["SHELLS", "add_completion_command"]

SHELLS = ("bash", "zsh", "fish")

_HOW = {
    "bash": 'eval "$(ticket-bridge completion bash)"   # in ~/.bashrc',
    "zsh": 'eval "$(ticket-bridge completion zsh)"    # in ~/.zshrc',
    "fish": "ticket-bridge completion fish > ~/.config/fish/completions/ticket-bridge.fish",
}


def cmd_completion(args: argparse.Namespace) -> int:
    from argcomplete.shell_integration import shellcode

    script = shellcode(["ticket-bridge"], shell=args.shell)
    if args.json:
        emit(args, {"shell": args.shell, "script": script}, "")
    else:
        sys.stdout.write(script)
    return 0


def add_completion_command(sub: Any) -> None:
    p = command(sub, "completion", "print the shell completion script", *_HOW.values())
    p.add_argument("shell", choices=SHELLS, help="one of %(choices)s")
    p.set_defaults(standalone=cmd_completion)

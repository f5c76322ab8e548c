"""Start-up of ``ticket-bridge mcp`` next to a bare one-tool MCPServer, in the same run.

Each run starts a fresh process, writes the MCP ``initialize`` request on its stdin and times
until the answer arrives on stdout (process start included). The bridge serves an empty
local store in a temporary directory. Prints the median of each, the difference and the
ratio::

    python bench/mcp_start.py            # 7 runs each, alternating
    python bench/mcp_start.py --runs 15
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_SERVER = '''
from mcp.server.mcpserver import MCPServer

server = MCPServer("bare")


@server.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


server.run()
'''

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "bench", "version": "0"},
    },
}


def time_to_initialize(command: list[str], cwd: Path) -> tuple[float, float]:
    """Seconds from spawning ``command`` to reading its answer to ``initialize``, and the CPU
    seconds the process used in all (less sensitive to other load on the machine)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write((json.dumps(INITIALIZE) + "\n").encode())
    proc.stdin.flush()
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.stdin.close()
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    answer = json.loads(line)
    if "result" not in answer:
        raise SystemExit(f"{command[0]}: no initialize result: {line!r}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    exe = Path(sys.executable)
    bridge_cmd = [str(exe.with_name("ticket-bridge")), "mcp"]
    if not Path(bridge_cmd[0]).exists():
        bridge_cmd = [str(exe), "-m", "bridge", "mcp"]
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        bare = cwd / "bare_server.py"
        bare.write_text(BARE_SERVER, encoding="utf-8")
        bare_cmd = [str(exe), str(bare)]
        os.environ.pop("TICKET_BRIDGE_CONFIG", None)
        time_to_initialize(bare_cmd, cwd)  # warm the file cache for both
        time_to_initialize(bridge_cmd, cwd)
        commands = {"bare MCPServer": bare_cmd, "ticket-bridge mcp": bridge_cmd}
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(time_to_initialize(command, cwd))
    wall = {name: statistics.median(t for t, _ in runs) for name, runs in times.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in times.items()}
    for name, runs in times.items():
        shown = " ".join(f"{t:.3f}" for t, _ in runs)
        print(f"{name:<18} median {wall[name]:.3f} s (cpu {cpu[name]:.3f} s)   runs: {shown}")
    bare_s, ours = wall["bare MCPServer"], wall["ticket-bridge mcp"]
    extra_cpu = cpu["ticket-bridge mcp"] - cpu["bare MCPServer"]
    print(
        f"difference {ours - bare_s:+.3f} s (cpu {extra_cpu:+.3f} s), "
        f"ratio {ours / bare_s:.2f}x; target: within 0.25 s"
    )


if __name__ == "__main__":
    main()

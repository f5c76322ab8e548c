"""A writer killed with SIGKILL at random moments never tears a file or loses an acked write."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService

pytestmark = pytest.mark.slow

KILLS = 100


def _writer(root: Path, round_no: int, ack_fd: int) -> None:
    """Child: create, update and comment in a loop, acking each write after it returned."""
    service = LocalJsonService(root)
    mine: list[str] = []
    step = 0
    while True:
        step += 1
        if not mine or step % 3 == 0:
            ticket = service.create_ticket(f"r{round_no} s{step}", metadata={"v": 0})
            mine.append(ticket.id)
            line = {"op": "create", "id": ticket.id, "title": ticket.title}
        elif step % 3 == 1:
            target = mine[-1]
            service.update_ticket(target, description=f"v{step}", metadata={"v": step})
            line = {"op": "update", "id": target, "v": step}
        else:
            target = mine[-1]
            service.add_comment(target, f"c{step}")
            line = {"op": "comment", "id": target, "body": f"c{step}"}
        os.write(ack_fd, (json.dumps(line) + "\n").encode())


def test_sigkill_never_tears_files_or_loses_acked_writes(tmp_path: Path) -> None:
    """100 kills at random moments: every file parses and every acked write is there."""
    root = tmp_path / "store"
    LocalJsonService(root).close()
    rng = random.Random(1234)
    acked: list[dict[str, object]] = []
    for round_no in range(KILLS):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            os.close(read_fd)
            try:
                _writer(root, round_no, write_fd)
            finally:
                os._exit(0)
        os.close(write_fd)
        time.sleep(rng.uniform(0.002, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(read_fd) as acks:
            acked += [json.loads(line) for line in acks.read().splitlines() if line.endswith("}")]

    for path in (root / "tickets").iterdir():
        if path.name.startswith(".tmp-"):
            continue
        json.loads(path.read_text())
    for path in (root / "comments").iterdir():
        if not path.name.startswith(".tmp-"):
            assert isinstance(json.loads(path.read_text()), list)

    service = LocalJsonService(root)
    latest: dict[str, int] = {}
    for line in acked:
        ticket_id = str(line["id"])
        if line["op"] == "create":
            assert service.get_ticket(ticket_id).title == line["title"]
        elif line["op"] == "update":
            latest[ticket_id] = int(str(line["v"]))
        else:
            bodies = [c.body for c in service.list_comments(ticket_id)]
            assert line["body"] in bodies
    for ticket_id, version in latest.items():
        stored = service.get_ticket(ticket_id).metadata["v"]
        assert isinstance(stored, int)
        assert stored >= version
    listed = {t.id for t in service.iter_tickets()}
    on_disk = {p.stem for p in (root / "tickets").glob("*.json") if not p.name.startswith(".")}
    assert listed == on_disk
    assert sum(1 for line in acked if line["op"] == "create") > KILLS / 2
    assert not list(service.list_tickets().problems)

"""Several processes writing one store at the same time lose nothing and never collide."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService

pytestmark = pytest.mark.slow


def _create_many(root: str, worker: int, count: int) -> list[str]:
    service = LocalJsonService(root)
    return [service.create_ticket(f"w{worker} t{i}").id for i in range(count)]


def _comment_many(root: str, ticket_id: str, worker: int, count: int) -> None:
    service = LocalJsonService(root)
    for i in range(count):
        service.add_comment(ticket_id, f"w{worker} c{i}", author=f"w{worker}")


def test_four_processes_create_1000_distinct_tickets(tmp_path: Path) -> None:
    """4 x 250 concurrent creates: 1000 tickets, 1000 distinct ids, every file valid."""
    root = str(tmp_path / "store")
    LocalJsonService(root).close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.starmap(_create_many, [(root, w, 250) for w in range(4)])
    ids = [i for chunk in results for i in chunk]
    assert len(ids) == 1000
    assert len(set(ids)) == 1000
    files = sorted((tmp_path / "store" / "tickets").glob("*.json"))
    assert len(files) == 1000
    for path in files:
        assert json.loads(path.read_text())["id"] == path.stem
    service = LocalJsonService(root)
    assert len(list(service.iter_tickets())) == 1000


def test_four_processes_comment_on_one_ticket(tmp_path: Path) -> None:
    """4 x 50 concurrent comments on one ticket: all 200 present, none overwritten."""
    root = str(tmp_path / "store")
    ticket = LocalJsonService(root).create_ticket("Busy ticket")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        pool.starmap(_comment_many, [(root, ticket.id, w, 50) for w in range(4)])
    comments = LocalJsonService(root).list_comments(ticket.id)
    assert len(comments) == 200
    assert len({c.id for c in comments}) == 200
    assert {c.body for c in comments} == {f"w{w} c{i}" for w in range(4) for i in range(50)}


def test_threads_share_one_service(tmp_path: Path) -> None:
    """Threads of one process can share a service instance."""
    from concurrent.futures import ThreadPoolExecutor

    service = LocalJsonService(tmp_path / "store")
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda i: service.create_ticket(f"t{i}").id, range(100)))
    assert len(set(ids)) == 100
    assert len(list(service.iter_tickets())) == 100

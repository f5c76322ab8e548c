"""Shared by the local store's tests: a populated store and a byte-level snapshot of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService


def snapshot(root: Path) -> dict[str, bytes]:
    """Every regular file of the store but the index (a cache that reads may touch)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and not p.name.startswith("index.sqlite3")
    }


@pytest.fixture
def populated(tmp_path: Path) -> tuple[LocalJsonService, list[str]]:
    """A store of five tickets (one with a comment), and their ids."""
    service = LocalJsonService(tmp_path / "store")
    ids = [
        service.create_ticket(f"Ticket {i}", labels=["x"], metadata={"n": i}).id for i in range(5)
    ]
    service.add_comment(ids[0], "first")
    return service, ids

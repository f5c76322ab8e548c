"""The adapter a README reader writes, for tests/test_readme.py: the forty-line in-memory
adapter of tests/contract/test_memory.py, built as the README's example builds its own."""

from __future__ import annotations

from pathlib import Path

from tests.contract.test_memory import MemoryAdapter


class MyTrackerAdapter(MemoryAdapter):
    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

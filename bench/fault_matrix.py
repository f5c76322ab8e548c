"""Print the fault matrix on the GitHub and Jira fakes: operation x fault -> outcome.

    python bench/fault_matrix.py

Each cell runs the operation with the fault injected on its writes (three attempts), then
replays the outbox, and compares the tracker with a run that had no fault. The outcome says
whether the call recovered by retrying or fell back to the local store and was replayed, and
whether the final tracker state matched (OK) or not (MISMATCH).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.resilience.test_matrix import FAULTS, OPS, _run


def main() -> None:
    for tracker in ("github", "jira"):
        table(tracker)


def table(tracker: str) -> None:
    faults = [f for f in FAULTS if not (tracker == "jira" and f == "403 secondary")]
    width = max(len(f) for f in faults)
    print(f"\n{tracker}")
    print(f"{'operation':<16}" + "".join(f"{f:>{width + 2}}" for f in faults))
    with tempfile.TemporaryDirectory() as tmp:
        for n, op in enumerate(OPS):
            expected, _ = _run(Path(tmp) / f"ref{n}", op, None, tracker)
            cells = []
            for m, fault in enumerate(faults):
                got, fell_back = _run(Path(tmp) / f"c{n}-{m}", op, fault, tracker)
                verdict = "OK" if got == expected else "MISMATCH"
                cells.append(f"{('replayed' if fell_back else 'retried')} {verdict}")
            print(f"{op:<16}" + "".join(f"{c:>{width + 2}}" for c in cells))


if __name__ == "__main__":
    main()

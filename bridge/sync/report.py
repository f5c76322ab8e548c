"""What a sync did (or, with ``--dry-run``, would do)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["SyncReport"]


@dataclass
class SyncReport:
    """Counts and details of one run; ``plan`` lists every write, in order."""

    tracker: str
    dry_run: bool = False
    created_local: list[str] = field(default_factory=list)
    created_remote: list[str] = field(default_factory=list)
    updated_local: list[str] = field(default_factory=list)
    updated_remote: list[str] = field(default_factory=list)
    comments_pulled: int = 0
    comments_pushed: int = 0
    linked: int = 0
    skipped: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)
    not_modified: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """A short human summary, then conflicts, problems and (dry run) the plan."""
        verb = "would be" if self.dry_run else ""
        counts = [
            ("created here", len(self.created_local)),
            (f"created on {self.tracker}", len(self.created_remote)),
            ("updated here", len(self.updated_local)),
            (f"updated on {self.tracker}", len(self.updated_remote)),
            ("comments pulled", self.comments_pulled),
            ("comments pushed", self.comments_pushed),
            ("links set", self.linked),
            ("skipped", len(self.skipped)),
            ("conflicts", len(self.conflicts)),
            ("problems", len(self.problems)),
        ]
        head = f"sync with {self.tracker}" + (" (dry run: nothing written)" if verb else "")
        quiet = self.not_modified and not self.plan
        lines = [head + ("; nothing changed" if quiet else "")]
        lines += [f"  {name:<24} {count}" for name, count in counts]
        lines += [f"conflict: {c}" for c in self.conflicts]
        lines += [f"problem: {p}" for p in self.problems]
        lines += [f"skipped: {s}" for s in self.skipped]
        if self.dry_run:
            lines += [f"plan: {p}" for p in self.plan] or ["plan: nothing to do"]
        return "\n".join(lines)
